package io.nlb.tls;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Where finished access-log files go. {@link TlsAccessLog} batches entries per 5-minute interval
 * and hands each batch over once, from its writer thread.
 *
 * <p>Implementations are called from one thread at a time.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface AccessLogSink {
  /**
   * Stores the lines of one interval.
   *
   * @param intervalEnd the end of the 5-minute interval (the file name's end time)
   * @param lines the formatted entries, in arrival order, without line ends
   * @throws IOException if reading or writing fails
   */
  void write(Instant intervalEnd, List<String> lines) throws IOException;
}
