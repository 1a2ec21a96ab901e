package io.nlb.core;

import static io.nlb.core.Fixtures.argError;
import static io.nlb.core.Fixtures.nlbError;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Health-check settings: defaults, ranges, matcher grammar, and the alb-group protocol rule. */
class HealthCheckTest {
  private final ManualScheduler time = new ManualScheduler();

  @Test
  void defaults_matchDocumentation() {
    HealthCheck hc = HealthCheck.defaults();
    assertThat(hc.protocol()).isEqualTo(HealthCheckProtocol.TCP);
    assertThat(hc.port()).isEmpty();
    assertThat(hc.portSpec()).isEqualTo("traffic-port");
    assertThat(hc.path()).isEqualTo("/");
    assertThat(hc.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(hc.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(hc.healthyThreshold()).isEqualTo(5);
    assertThat(hc.unhealthyThreshold()).isEqualTo(2);
    assertThat(hc.matcher()).hasToString("200-399");
  }

  @Test
  void timeoutDefault_followsProtocol() {
    assertThat(HealthCheck.builder().protocol(HealthCheckProtocol.HTTP).build().timeout()).isEqualTo(Duration.ofSeconds(6));
    assertThat(HealthCheck.builder().protocol(HealthCheckProtocol.HTTPS).build().timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(HealthCheck.builder().protocol(HealthCheckProtocol.TCP).build().timeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void timeout_explicit_overridesProtocolDefault() {
    assertThat(HealthCheck.builder().protocol(HealthCheckProtocol.HTTP).timeout(Duration.ofSeconds(20)).build().timeout())
        .isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void timeout_2And120_areAccepted1And121Rejected() {
    assertThat(HealthCheck.builder().timeout(Duration.ofSeconds(2)).build().timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(HealthCheck.builder().timeout(Duration.ofSeconds(120)).build().timeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(argError(() -> HealthCheck.builder().timeout(Duration.ofSeconds(1))))
        .hasMessage("healthCheck.timeout: PT1S (expected: whole seconds 2-120)");
    assertThat(argError(() -> HealthCheck.builder().timeout(Duration.ofSeconds(121))))
        .hasMessage("healthCheck.timeout: PT2M1S (expected: whole seconds 2-120)");
  }

  @Test
  void interval_5And300_areAccepted4And301Rejected() {
    assertThat(HealthCheck.builder().interval(Duration.ofSeconds(5)).build().interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(HealthCheck.builder().interval(Duration.ofSeconds(300)).build().interval()).isEqualTo(Duration.ofSeconds(300));
    assertThat(argError(() -> HealthCheck.builder().interval(Duration.ofSeconds(4))))
        .hasMessage("healthCheck.interval: PT4S (expected: whole seconds 5-300)");
    assertThat(argError(() -> HealthCheck.builder().interval(Duration.ofSeconds(301))))
        .hasMessage("healthCheck.interval: PT5M1S (expected: whole seconds 5-300)");
  }

  @Test
  void interval_fractionalSeconds_isRejected() {
    assertThat(argError(() -> HealthCheck.builder().interval(Duration.ofMillis(10_500))))
        .hasMessage("healthCheck.interval: PT10.5S (expected: whole seconds 5-300)");
  }

  @Test
  void healthyThreshold_2And10_areAccepted1And11Rejected() {
    assertThat(HealthCheck.builder().healthyThreshold(2).build().healthyThreshold()).isEqualTo(2);
    assertThat(HealthCheck.builder().healthyThreshold(10).build().healthyThreshold()).isEqualTo(10);
    assertThat(argError(() -> HealthCheck.builder().healthyThreshold(1))).hasMessage("healthCheck.healthyThreshold: 1 (expected: 2-10)");
    assertThat(argError(() -> HealthCheck.builder().healthyThreshold(11))).hasMessage("healthCheck.healthyThreshold: 11 (expected: 2-10)");
  }

  @Test
  void unhealthyThreshold_2And10_areAccepted1And11Rejected() {
    assertThat(HealthCheck.builder().unhealthyThreshold(2).build().unhealthyThreshold()).isEqualTo(2);
    assertThat(HealthCheck.builder().unhealthyThreshold(10).build().unhealthyThreshold()).isEqualTo(10);
    assertThat(argError(() -> HealthCheck.builder().unhealthyThreshold(1))).hasMessage("healthCheck.unhealthyThreshold: 1 (expected: 2-10)");
    assertThat(argError(() -> HealthCheck.builder().unhealthyThreshold(11))).hasMessage("healthCheck.unhealthyThreshold: 11 (expected: 2-10)");
  }

  @Test
  void port_trafficPortOr1To65535() {
    assertThat(HealthCheck.builder().port("traffic-port").build().portSpec()).isEqualTo("traffic-port");
    assertThat(HealthCheck.builder().port(1).build().port()).hasValue(1);
    assertThat(HealthCheck.builder().port("65535").build().port()).hasValue(65535);
    assertThat(HealthCheck.builder().port(8081).trafficPort().build().port()).isEmpty();
    assertThat(argError(() -> HealthCheck.builder().port(0))).hasMessage("healthCheck.port: 0 (expected: 1-65535)");
    assertThat(argError(() -> HealthCheck.builder().port(65536))).hasMessage("healthCheck.port: 65536 (expected: 1-65535)");
    assertThat(argError(() -> HealthCheck.builder().port("http"))).hasMessage("healthCheck.port: \"http\" (expected: traffic-port or 1-65535)");
  }

  @Test
  void path_mustStartWithSlash() {
    assertThat(HealthCheck.builder().path("/health").build().path()).isEqualTo("/health");
    assertThat(argError(() -> HealthCheck.builder().path("health")))
        .hasMessage("healthCheck.path: \"health\" (expected: a path starting with /, at most 1024 printable ASCII characters)");
    assertThat(argError(() -> HealthCheck.builder().path(""))).hasMessageStartingWith("healthCheck.path: \"\"");
    assertThat(argError(() -> HealthCheck.builder().path("/a b"))).hasMessageStartingWith("healthCheck.path: \"/a b\"");
  }

  @Test
  void matcher_singleListRange_areAccepted() {
    assertThat(HealthCheck.Matcher.parse("200").matches(200)).isTrue();
    assertThat(HealthCheck.Matcher.parse("200").matches(201)).isFalse();
    HealthCheck.Matcher list = HealthCheck.Matcher.parse("200,204");
    assertThat(list.matches(204)).isTrue();
    assertThat(list.matches(202)).isFalse();
    HealthCheck.Matcher range = HealthCheck.Matcher.parse("200-299");
    assertThat(range.matches(299)).isTrue();
    assertThat(range.matches(300)).isFalse();
    HealthCheck.Matcher all = HealthCheck.Matcher.parse("200-599");
    assertThat(all.matches(200)).isTrue();
    assertThat(all.matches(599)).isTrue();
    assertThat(HealthCheck.Matcher.parse("599").matches(599)).isTrue();
  }

  @Test
  void matcher_default_is200To399() {
    HealthCheck.Matcher m = HealthCheck.defaults().matcher();
    assertThat(m.matches(199)).isFalse();
    assertThat(m.matches(200)).isTrue();
    assertThat(m.matches(399)).isTrue();
    assertThat(m.matches(400)).isFalse();
  }

  @Test
  void matcher_199And600_areRejected() {
    assertThat(argError(() -> HealthCheck.builder().matcher("199")))
        .hasMessage("healthCheck.matcher: \"199\" (expected: HTTP codes 200-599 as 200, 200,202 or 200-299)");
    assertThat(argError(() -> HealthCheck.builder().matcher("600")))
        .hasMessage("healthCheck.matcher: \"600\" (expected: HTTP codes 200-599 as 200, 200,202 or 200-299)");
    assertThat(argError(() -> HealthCheck.builder().matcher("199-299"))).hasMessageStartingWith("healthCheck.matcher: \"199-299\"");
    assertThat(argError(() -> HealthCheck.builder().matcher("200,600"))).hasMessageStartingWith("healthCheck.matcher: \"200,600\"");
  }

  @Test
  void matcher_malformed_isRejected() {
    assertThat(argError(() -> HealthCheck.builder().matcher(""))).hasMessageStartingWith("healthCheck.matcher: \"\"");
    assertThat(argError(() -> HealthCheck.builder().matcher("200-"))).hasMessageStartingWith("healthCheck.matcher: \"200-\"");
    assertThat(argError(() -> HealthCheck.builder().matcher("200-300-400"))).hasMessageStartingWith("healthCheck.matcher: \"200-300-400\"");
    assertThat(argError(() -> HealthCheck.builder().matcher("ok"))).hasMessageStartingWith("healthCheck.matcher: \"ok\"");
    assertThat(argError(() -> HealthCheck.builder().matcher("299-200")))
        .hasMessage("healthCheck.matcher: \"299-200\" (expected: ascending ranges such as 200-299)");
  }

  @Test
  void albGroup_defaultProtocol_becomesHttp() {
    TargetGroupConfig c = TargetGroupConfig.builder("alb", Protocol.TCP, 80).targetType(TargetType.ALB).build();
    assertThat(c.healthCheck().protocol()).isEqualTo(HealthCheckProtocol.HTTP);
    assertThat(c.healthCheck().timeout()).isEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void albGroup_tcpHealthCheck_isRejected() {
    NlbException e = nlbError(() -> TargetGroupConfig.builder("alb", Protocol.TCP, 80).targetType(TargetType.ALB)
        .healthCheck(HealthCheck.builder().protocol(HealthCheckProtocol.TCP).build()).build());
    assertThat(e.code()).isEqualTo(ErrorCode.INCOMPATIBLE_PROTOCOLS);
    assertThat(e).hasMessage("IncompatibleProtocols: targetGroup[alb].healthCheck.protocol: \"TCP\" (expected: HTTP or HTTPS for alb target groups)");
  }

  @Test
  void albGroup_httpsHealthCheck_isAccepted() {
    TargetGroupConfig c = TargetGroupConfig.builder("alb", Protocol.TCP, 80).targetType(TargetType.ALB)
        .healthCheck(HealthCheck.builder().protocol(HealthCheckProtocol.HTTPS).build()).build();
    assertThat(c.healthCheck().protocol()).isEqualTo(HealthCheckProtocol.HTTPS);
  }

  @Test
  void modifyHealthCheck_tcpOnAlbGroup_isRejectedAndChangesNothing() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup tg = nlb.createTargetGroup(TargetGroupConfig.builder("alb", Protocol.TCP, 80).targetType(TargetType.ALB).build());
      HealthCheck before = tg.healthCheck();
      NlbException e = nlbError(() -> tg.modifyHealthCheck(HealthCheck.builder().protocol(HealthCheckProtocol.TCP).build()));
      assertThat(e.code()).isEqualTo(ErrorCode.INCOMPATIBLE_PROTOCOLS);
      assertThat(tg.healthCheck()).isEqualTo(before);
    }
  }

  /**
   * Guide, "Application Load Balancers as targets", and the ALB-target blog (health checks): for
   * an alb target group the unhealthy threshold, timeout, interval and success codes cannot be
   * changed; protocol, port, path and healthy threshold can.
   */
  @Test
  void albGroup_fixedHealthCheckSettings_cannotBeChanged() {
    HealthCheck custom = HealthCheck.builder().protocol(HealthCheckProtocol.HTTP).unhealthyThreshold(3)
        .timeout(Duration.ofSeconds(5)).interval(Duration.ofSeconds(10)).matcher("200").build();
    NlbException e = nlbError(() -> TargetGroupConfig.builder("alb", Protocol.TCP, 80).targetType(TargetType.ALB).healthCheck(custom).build());
    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
    assertThat(e.problems()).containsExactly(
        "targetGroup[alb].healthCheck.unhealthyThreshold: 3 (expected: 2; alb target groups cannot change it)",
        "targetGroup[alb].healthCheck.timeout: \"5s\" (expected: 6s for HTTP; alb target groups cannot change it)",
        "targetGroup[alb].healthCheck.interval: \"10s\" (expected: 30s; alb target groups cannot change it)",
        "targetGroup[alb].healthCheck.matcher: \"200\" (expected: 200-399; alb target groups cannot change it)");
    // What may change: protocol, port, path, healthy threshold; the defaults may be spelled out.
    TargetGroupConfig ok = TargetGroupConfig.builder("alb", Protocol.TCP, 80).targetType(TargetType.ALB)
        .healthCheck(HealthCheck.builder().protocol(HealthCheckProtocol.HTTPS).port(8443).path("/health").healthyThreshold(3)
            .timeout(Duration.ofSeconds(10)).interval(Duration.ofSeconds(30)).unhealthyThreshold(2).matcher("200-399").build())
        .build();
    assertThat(ok.healthCheck().healthyThreshold()).isEqualTo(3);
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup tg = nlb.createTargetGroup(TargetGroupConfig.builder("alb", Protocol.TCP, 80).targetType(TargetType.ALB).build());
      HealthCheck before = tg.healthCheck();
      NlbException m = nlbError(() -> tg.modifyHealthCheck(before.toBuilder().interval(Duration.ofSeconds(10)).build()));
      assertThat(m.problems()).containsExactly("targetGroup[alb].healthCheck.interval: \"10s\" (expected: 30s; alb target groups cannot change it)");
      assertThat(tg.healthCheck()).isEqualTo(before);
      tg.modifyHealthCheck(before.toBuilder().path("/ping").build());
      assertThat(tg.healthCheck().path()).isEqualTo("/ping");
    }
  }

  @Test
  void modifyHealthCheck_ipGroup_isApplied() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup tg = Fixtures.ipGroup(nlb, "web");
      tg.modifyHealthCheck(HealthCheck.builder().protocol(HealthCheckProtocol.HTTP).path("/health").healthyThreshold(3).build());
      assertThat(tg.healthCheck().path()).isEqualTo("/health");
      assertThat(tg.healthCheck().healthyThreshold()).isEqualTo(3);
      assertThat(tg.healthCheck().timeout()).isEqualTo(Duration.ofSeconds(6));
    }
  }

  @Test
  void toBuilder_keepsEverySetting() {
    HealthCheck hc = HealthCheck.builder().protocol(HealthCheckProtocol.HTTPS).port(8443).path("/x").timeout(Duration.ofSeconds(3))
        .interval(Duration.ofSeconds(10)).healthyThreshold(3).unhealthyThreshold(4).matcher("200,204").build();
    assertThat(hc.toBuilder().build()).isEqualTo(hc);
  }
}
