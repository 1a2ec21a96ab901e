package io.nlb.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DimensionsTest {
  private static final String LB = "net/my-load-balancer/50dc6c495c0c9188";
  private static final String TG = "targetgroup/my-targets/73e2d6bc24d8a067";

  @Test
  void equals_sameValuesBuiltDifferently_equalWithSameHash() {
    Dimensions a = Dimensions.of(LB, "us-east-2a", TG);
    Dimensions b = Dimensions.of(LB).withTargetGroup(TG).withAvailabilityZone("us-east-2a");

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(a.withoutAvailabilityZone());
    assertThat(a).isNotEqualTo(a.withoutTargetGroup());
    assertThat(a).isNotEqualTo(Dimensions.of(LB, "us-east-2b", TG));
    assertThat(Dimensions.of(LB, null, null)).isEqualTo(Dimensions.of(LB));
  }

  @Test
  void accessors_zoneSeries_returnPartsAndSet() {
    Dimensions d = Dimensions.of(LB, "us-east-2a", null);

    assertThat(d.loadBalancer()).isEqualTo(LB);
    assertThat(d.availabilityZone()).isEqualTo("us-east-2a");
    assertThat(d.targetGroup()).isNull();
    assertThat(d.get(Dimension.AVAILABILITY_ZONE)).isEqualTo("us-east-2a");
    assertThat(d.get(Dimension.TARGET_GROUP)).isNull();
    assertThat(d.dimensionSet())
        .containsExactly(Dimension.AVAILABILITY_ZONE, Dimension.LOAD_BALANCER);
    assertThat(d.withTargetGroup(TG).dimensionSet()).isEqualTo(EnumSet.allOf(Dimension.class));
  }

  @Test
  void without_absentPart_returnsSameInstance() {
    Dimensions d = Dimensions.of(LB);
    assertThat(d.withoutAvailabilityZone()).isSameAs(d);
    assertThat(d.withoutTargetGroup()).isSameAs(d);
  }

  @Test
  void toString_allParts_inDimensionOrder() {
    assertThat(Dimensions.of(LB, "us-east-2a", TG))
        .hasToString(
            "{AvailabilityZone=us-east-2a, LoadBalancer=net/my-load-balancer/50dc6c495c0c9188,"
                + " TargetGroup=targetgroup/my-targets/73e2d6bc24d8a067}");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "net/a/0123456789abcdef",
        "net/my-load-balancer/50dc6c495c0c9188",
        "net/abcdefghijklmnopqrstuvwxyz012345/50dc6c495c0c9188", // 32 characters
        "net/internal/50dc6c495c0c9188",
      })
  void of_wellFormedLoadBalancer_accepted(String value) {
    assertThat(Dimensions.of(value).loadBalancer()).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "my-load-balancer",
        "app/my-load-balancer/50dc6c495c0c9188",
        "net//50dc6c495c0c9188",
        "net/-lb/50dc6c495c0c9188",
        "net/lb-/50dc6c495c0c9188",
        "net/my_lb/50dc6c495c0c9188",
        "net/abcdefghijklmnopqrstuvwxyz0123456/50dc6c495c0c9188", // 33 characters
        "net/internal-lb/50dc6c495c0c9188",
        "net/my-lb/50DC6C495C0C9188",
        "net/my-lb/50dc6c495c0c918",
        "net/my-lb/50dc6c495c0c91888",
        "net/my-lb/50dc6c495c0c918g",
        "net/my-lb/50dc6c495c0c9188/",
      })
  void of_malformedLoadBalancer_throws(String value) {
    assertThatThrownBy(() -> Dimensions.of(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "loadBalancer: \""
                + value
                + "\" (expected: net/<name>/<16 lowercase hex digits>, name 1-32 letters, digits"
                + " or inner hyphens, not starting with internal-)");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "net/my-targets/73e2d6bc24d8a067",
        "targetgroup/my-targets/73e2d6bc24d8a06",
        "targetgroup/my targets/73e2d6bc24d8a067",
        "targetgroup/-tg/73e2d6bc24d8a067",
        "targetgroup/my-targets",
      })
  void withTargetGroup_malformed_throws(String value) {
    assertThatThrownBy(() -> Dimensions.of(LB).withTargetGroup(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "targetGroup: \""
                + value
                + "\" (expected: targetgroup/<name>/<16 lowercase hex digits>, name 1-32 letters,"
                + " digits or inner hyphens)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "us east", "zone/a", "zone-a,zone-b"})
  void of_malformedZone_throws(String value) {
    assertThatThrownBy(() -> Dimensions.of(LB, value, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "availabilityZone: \""
                + value
                + "\" (expected: 1-64 letters, digits, '.', '_' or '-')");
  }

  @Test
  void of_zoneOf65Characters_throws() {
    String zone = "z".repeat(65);
    assertThatThrownBy(() -> Dimensions.of(LB, zone, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("availabilityZone: \"zzz");
    assertThat(Dimensions.of(LB, zone.substring(1), null).availabilityZone()).hasSize(64);
  }

  @ParameterizedTest
  @ValueSource(strings = {"us-east-2a", "use1-az1", "zone-a", "rack_1.dc-2"})
  void of_wellFormedZone_accepted(String value) {
    assertThat(Dimensions.of(LB, value, null).availabilityZone()).isEqualTo(value);
  }
}
