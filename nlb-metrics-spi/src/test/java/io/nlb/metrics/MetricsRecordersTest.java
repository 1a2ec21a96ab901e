package io.nlb.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Discovery through {@code META-INF/services/io.nlb.metrics.MetricsRecorderProvider} in the test
 * resources, which lists the three providers below.
 */
class MetricsRecordersTest {

  @Test
  void load_severalProviders_highestPriorityThenSmallestNameWins() {
    MetricsRecorder recorder = MetricsRecorders.load();

    assertThat(recorder).isInstanceOf(NamedRecorder.class);
    assertThat(((NamedRecorder) recorder).name).isEqualTo("alpha");
  }

  @Test
  void load_noProviderVisible_returnsNoop() {
    MetricsRecorder recorder = MetricsRecorders.load(ClassLoader.getPlatformClassLoader());

    assertThat(recorder).isSameAs(MetricsRecorder.noop());
  }

  /** A recorder that only remembers which provider made it. */
  static final class NamedRecorder implements MetricsRecorder {
    final String name;

    NamedRecorder(String name) {
      this.name = name;
    }

    @Override
    public Counter counter(Metric metric, Dimensions dimensions) {
      return MetricsRecorder.noop().counter(metric, dimensions);
    }

    @Override
    public Gauge gauge(Metric metric, Dimensions dimensions) {
      return MetricsRecorder.noop().gauge(metric, dimensions);
    }
  }

  /** Loses on priority. */
  public static final class LowPriorityProvider implements MetricsRecorderProvider {
    @Override
    public String name() {
      return "aardvark";
    }

    @Override
    public int priority() {
      return 1;
    }

    @Override
    public MetricsRecorder create() {
      return new NamedRecorder(name());
    }
  }

  /** Ties with {@link AlphaProvider} on priority and loses on name. */
  public static final class BetaProvider implements MetricsRecorderProvider {
    @Override
    public String name() {
      return "beta";
    }

    @Override
    public int priority() {
      return 7;
    }

    @Override
    public MetricsRecorder create() {
      return new NamedRecorder(name());
    }
  }

  /** The winner. */
  public static final class AlphaProvider implements MetricsRecorderProvider {
    @Override
    public String name() {
      return "alpha";
    }

    @Override
    public int priority() {
      return 7;
    }

    @Override
    public MetricsRecorder create() {
      return new NamedRecorder(name());
    }
  }
}
