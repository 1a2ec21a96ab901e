package io.nlb.metrics;

/**
 * A {@link java.util.ServiceLoader} service that supplies a {@link MetricsRecorder}, so that a
 * metrics backend (Micrometer, OpenTelemetry, a CloudWatch exporter...) plugs in by being on the
 * module or class path.
 *
 * <h2>Registering a provider</h2>
 *
 * <p>The provider class is public, with a public no-argument constructor (or, on the module path,
 * a public static {@code provider()} method). In a named module, declare it in {@code
 * module-info.java}:
 *
 * <pre>{@code
 * module com.example.nlb.micrometer {
 *   requires io.nlb.metrics;
 *   provides io.nlb.metrics.MetricsRecorderProvider with com.example.nlb.micrometer.Provider;
 * }
 * }</pre>
 *
 * <p>On the class path, list the class name in {@code
 * META-INF/services/io.nlb.metrics.MetricsRecorderProvider}. A jar meant for both declares both.
 *
 * <h2>Selection</h2>
 *
 * <p>{@link MetricsRecorders#load()} instantiates every provider it finds, keeps the one with the
 * highest {@link #priority()} (ties go to the smallest {@link #name()}) and calls its {@link
 * #create()} once. With no provider installed it returns {@link MetricsRecorder#noop()}. A
 * runtime may also be handed a recorder directly, bypassing discovery.
 *
 * <p>Implementations must be thread-safe and cheap to instantiate: discovery instantiates every
 * provider, including those not selected, so expensive work belongs in {@link #create()}.
 *
 * @since 0.1
 */
public interface MetricsRecorderProvider {
  /** {@return a short, stable name for logs and tie-breaking, e.g. {@code "micrometer"}} */
  String name();

  /**
   * {@return priority between 0 and 10 (higher wins), following gRPC's provider convention: 5 for an
   * ordinary backend, lower for fallbacks, higher for one that should win when present}
   */
  int priority();

  /**
   * Creates the recorder. Called once per {@link MetricsRecorders#load()}, at start-up, off the
   * hot path; may allocate and do I/O (e.g. register with a meter registry).
   *
   * @return the {@code MetricsRecorder}
   */
  MetricsRecorder create();
}
