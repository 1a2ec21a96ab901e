package io.nlb.metrics.store;

import java.time.Duration;

/**
 * The load balancer capacity unit (LCU) dimensions of the public Network Load Balancer pricing, per
 * listener protocol: what one LCU buys per hour.
 *
 * <table>
 *   <caption>One LCU per protocol</caption>
 *   <tr><th>protocol</th><th>new flows per second</th><th>active flows</th>
 *       <th>processed bytes per hour</th></tr>
 *   <tr><td>TCP</td><td>800</td><td>100,000</td><td>1 GB</td></tr>
 *   <tr><td>TLS</td><td>50</td><td>3,000</td><td>1 GB</td></tr>
 *   <tr><td>UDP</td><td>400</td><td>50,000</td><td>1 GB</td></tr>
 * </table>
 *
 * <p>The LCUs of a period are the highest of the three dimensions (the pricing charges "only the
 * dimension with the highest usage"), computed per protocol; {@code ConsumedLCUs} is the sum over
 * protocols. 1 GB is taken as 2<sup>30</sup> bytes. Active flows are the period's
 * {@code Maximum} of {@code ActiveFlowCount_*} (the peak, which the pricing samples per minute).
 *
 * <p><b>An estimate.</b> The figures the data plane records are themselves approximations (payload
 * bytes rather than packets on the wire, see {@link io.nlb.metrics.Metric#PROCESSED_BYTES}), the
 * pricing page may change, and this library bills nobody: use the figure for capacity planning and
 * for comparison with the managed service, not as a bill.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * double lcus = LcuRates.TLS.lcus(6_000, 1_500, 0, Duration.ofMinutes(1)); // 100 flows/s: 2.0
 * }</pre>
 *
 * @since 0.1
 */
public enum LcuRates {
  /** TCP listeners: 800 new flows/s, 100,000 active flows, 1 GB/hour. */
  TCP(800, 100_000),
  /** TLS listeners: 50 new connections/s, 3,000 active connections, 1 GB/hour. */
  TLS(50, 3_000),
  /** UDP listeners: 400 new flows/s, 50,000 active flows, 1 GB/hour. */
  UDP(400, 50_000);

  /** Bytes per hour in one LCU, for every protocol: 1 GB = 2<sup>30</sup> bytes. */
  public static final long BYTES_PER_HOUR = 1L << 30;

  private final int newFlowsPerSecond;
  private final int activeFlows;

  LcuRates(int newFlowsPerSecond, int activeFlows) {
    this.newFlowsPerSecond = newFlowsPerSecond;
    this.activeFlows = activeFlows;
  }

  /** {@return new flows (connections) per second in one LCU} */
  public int newFlowsPerSecond() {
    return newFlowsPerSecond;
  }

  /** {@return active (concurrent) flows in one LCU} */
  public int activeFlows() {
    return activeFlows;
  }

  /**
   * {@return the LCUs consumed in one period: the highest of new flows per second ÷ {@link
   * #newFlowsPerSecond()}, peak active flows ÷ {@link #activeFlows()} and bytes per hour ÷ {@link
   * #BYTES_PER_HOUR}}
   *
   * @param newFlows flows opened in the period ({@code NewFlowCount_*} Sum)
   * @param peakActiveFlows flows open at the busiest moment ({@code ActiveFlowCount_*} Maximum)
   * @param processedBytes bytes processed in the period ({@code ProcessedBytes_*} Sum)
   * @param period the period's length
   */
  public double lcus(long newFlows, long peakActiveFlows, long processedBytes, Duration period) {
    double seconds = period.toMillis() / 1000.0;
    double byNewFlows = newFlows / seconds / newFlowsPerSecond;
    double byActiveFlows = (double) peakActiveFlows / activeFlows;
    double byBytes = processedBytes * (3600.0 / seconds) / BYTES_PER_HOUR;
    return Math.max(byNewFlows, Math.max(byActiveFlows, byBytes));
  }
}
