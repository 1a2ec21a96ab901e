package io.nlb.launcher;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP through {@code sun.misc.Signal} (module {@code jdk.unsupported}), the only way a Java
 * program can catch it. Guarded: on a JVM without it, on Windows, or with {@code -Xrs}, {@link
 * #onHangup} returns false and the launcher relies on watching the file.
 */
final class Signals {
  private static final Logger log = LoggerFactory.getLogger(Signals.class);
  private static final Object lock = new Object();
  private static @Nullable SignalHandler previous;
  private static boolean installed;

  private Signals() {}

  /** Runs {@code action} on every SIGHUP (on the JVM's signal thread: keep it short). */
  static boolean onHangup(Runnable action) {
    synchronized (lock) {
      try {
        SignalHandler old = Signal.handle(new Signal("HUP"), sig -> action.run());
        if (old == SignalHandler.SIG_IGN) {
          // The process was started with SIGHUP ignored (nohup, or a parent that ignores it): the
          // JVM keeps that disposition and would never run the handler, so do not claim it works.
          Signal.handle(new Signal("HUP"), old);
          log.info("SIGHUP is ignored by this process (started under nohup?); reload by editing the file");
          return false;
        }
        if (!installed) {
          previous = old;
        }
        installed = true;
        return true;
      } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
        log.debug("SIGHUP unavailable", e);
        return false;
      }
    }
  }

  /** Puts back the handler that was there before {@link #onHangup}. */
  static void clearHangup() {
    synchronized (lock) {
      SignalHandler old = previous;
      if (!installed || old == null) {
        return;
      }
      try {
        Signal.handle(new Signal("HUP"), old);
      } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
        log.debug("restoring SIGHUP", e);
      }
      installed = false;
      previous = null;
    }
  }
}
