package io.nlb.transport.netty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.jspecify.annotations.NullUnmarked;
import org.jspecify.annotations.Nullable;

/**
 * Counts the {@link Throwable}s constructed on the load balancer's threads while an action runs,
 * with JFR ({@code jdk.JavaExceptionThrow} fires in every {@code Throwable} constructor, thrown or
 * not). Threads whose names start with the test's prefix (its clients and targets) and Awaitility's
 * are not counted, nor Netty's leak detector's records (PARANOID in tests) and Netty's {@code
 * Stackless*} exceptions, which carry no stack trace. Events a caller knows to come from inside
 * Netty or the JDK are counted apart, under a label the caller gives them.
 */
@NullUnmarked
final class Throwables {
  /** What one recording saw: counted, known ones apart by their label, and where the counted ones came from. */
  record Count(int counted, Map<String, Integer> known, String report) {
    /** How many were known under {@code label}. */
    int known(String label) {
      return known.getOrDefault(label, 0);
    }
  }

  /** An action that may throw. */
  interface Action {
    void run() throws Exception;
  }

  private Throwables() {}

  static Count during(String testThreads, Function<RecordedEvent, @Nullable String> knownAs, Action action) throws Exception {
    Path file = Files.createTempFile("throwables", ".jfr");
    List<RecordedEvent> events;
    try (Recording r = new Recording()) {
      r.enable("jdk.JavaExceptionThrow").withStackTrace();
      r.enable("jdk.JavaErrorThrow").withStackTrace();
      r.start();
      action.run();
      r.stop();
      r.dump(file);
      events = RecordingFile.readAllEvents(file);
    } finally {
      Files.deleteIfExists(file);
    }
    Map<String, Integer> byPlace = new TreeMap<>();
    int counted = 0;
    Map<String, Integer> known = new TreeMap<>();
    for (RecordedEvent e : events) {
      String thread = e.getThread() == null ? "?" : e.getThread().getJavaName();
      String thrown = thrown(e);
      if (thread.startsWith(testThreads) || thread.startsWith("awaitility") || thrown.startsWith("io.netty.util.ResourceLeakDetector")
          || thrown.startsWith("io.netty.channel.Stackless") || thrown.startsWith("io.netty.handler.ssl.Stackless")) {
        continue;
      }
      String label = knownAs.apply(e);
      if (label != null) {
        known.merge(label, 1, Integer::sum);
        continue;
      }
      counted++;
      String message = e.getString("message");
      StringBuilder place = new StringBuilder(thrown).append(message == null ? "" : ": " + message.replaceAll("\\d+", "N"))
          .append(" on ").append(thread.replaceAll("\\d+", "N"));
      List<RecordedFrame> frames = e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames();
      for (int i = 0, shown = 0; i < frames.size() && shown < 14; i++) {
        String m = frames.get(i).getMethod().getType().getName() + "." + frames.get(i).getMethod().getName();
        if (!m.startsWith("java.lang.Throwable") && !m.startsWith("java.lang.Exception") && !m.startsWith("jdk.jfr") && !m.startsWith("jdk.internal")) {
          place.append("\n    at ").append(m).append(':').append(frames.get(i).getLineNumber());
          shown++;
        }
      }
      byPlace.merge(place.toString(), 1, Integer::sum);
    }
    StringBuilder report = new StringBuilder();
    byPlace.forEach((place, n) -> report.append('\n').append(n).append(" × ").append(place));
    return new Count(counted, known, report.toString());
  }

  static String thrown(RecordedEvent e) {
    return e.getClass("thrownClass") == null ? "?" : e.getClass("thrownClass").getName();
  }

  /** Whether {@code type.method} is on the event's stack. */
  static boolean calledFrom(RecordedEvent e, String type, String method) {
    if (e.getStackTrace() == null) {
      return false;
    }
    for (RecordedFrame f : e.getStackTrace().getFrames()) {
      if (f.getMethod().getType().getName().equals(type) && f.getMethod().getName().equals(method)) {
        return true;
      }
    }
    return false;
  }
}
