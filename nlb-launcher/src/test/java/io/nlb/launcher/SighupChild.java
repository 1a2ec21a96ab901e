package io.nlb.launcher;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for the SIGHUP test: installs the launcher's hangup handler, says {@code READY}, says
 * {@code HUP} when the handler runs, and exits after the first one (or after 30 s). Signal
 * dispositions are process-wide, so the test sends its signal to this fresh process rather than to
 * the test JVM, where other tests' native code may have changed them.
 */
public final class SighupChild {
  private SighupChild() {}

  /** Entry point; no arguments. */
  public static void main(String[] args) throws InterruptedException {
    CountDownLatch hup = new CountDownLatch(1);
    if (!Signals.onHangup(hup::countDown)) {
      System.out.println("UNAVAILABLE");
      return;
    }
    System.out.println("READY");
    System.out.flush();
    if (hup.await(30, TimeUnit.SECONDS)) {
      System.out.println("HUP");
      System.out.flush();
    }
  }
}
