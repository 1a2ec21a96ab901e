package io.nlb.core;

import static io.nlb.core.Fixtures.argError;
import static io.nlb.core.Fixtures.nlbError;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Load balancer attributes: defaults, scheme-dependent defaults, access-log rule, bad values, unknown keys. */
class LoadBalancerAttributesTest {
  private final ManualScheduler time = new ManualScheduler();

  private LoadBalancer create(Nlb nlb, Scheme scheme) {
    return nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").scheme(scheme).zone(Fixtures.zoneA()).build());
  }

  @Test
  void describeAttributes_internetFacing_everyKeyAtItsDefault() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Map<String, String> expected = new LinkedHashMap<>();
      expected.put("access_logs.s3.enabled", "false");
      expected.put("access_logs.s3.bucket", "");
      expected.put("access_logs.s3.prefix", "");
      expected.put("deletion_protection.enabled", "false");
      expected.put("ipv6.deny_all_igw_traffic", "false");
      expected.put("load_balancing.cross_zone.enabled", "false");
      assertThat(create(nlb, Scheme.INTERNET_FACING).describeAttributes()).containsExactlyEntriesOf(expected);
    }
  }

  @Test
  void describeAttributes_internal_denyAllIgwTrafficDefaultsToTrue() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = create(nlb, Scheme.INTERNAL);
      assertThat(lb.describeAttributes()).containsEntry("ipv6.deny_all_igw_traffic", "true");
      assertThat(lb.attributes().ipv6DenyAllIgwTraffic()).isTrue();
    }
  }

  @Test
  void scheme_default_isInternetFacing() {
    assertThat(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).build().scheme()).isEqualTo(Scheme.INTERNET_FACING);
  }

  @Test
  void denyAllIgwTraffic_explicitFalseOnInternal_isKept() {
    LoadBalancerConfig c = LoadBalancerConfig.builder("lb").scheme(Scheme.INTERNAL).zone(Fixtures.zoneA())
        .attribute("ipv6.deny_all_igw_traffic", "false").build();
    assertThat(c.attributes().ipv6DenyAllIgwTraffic()).isFalse();
  }

  @Test
  void typedAccessors_defaults_matchDocumentation() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancerAttributes a = create(nlb, Scheme.INTERNET_FACING).attributes();
      assertThat(a.accessLogsEnabled()).isFalse();
      assertThat(a.accessLogsDirectory()).isEmpty();
      assertThat(a.accessLogsPrefix()).isEmpty();
      assertThat(a.deletionProtectionEnabled()).isFalse();
      assertThat(a.crossZoneEnabled()).isFalse();
    }
  }

  @Test
  void accessLogs_enabledWithoutBucket_isRejected() {
    NlbException e = nlbError(() -> LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).attribute("access_logs.s3.enabled", "true").build());
    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
    assertThat(e).hasMessage("ValidationError: access_logs.s3.bucket: \"\" (expected: a directory when access_logs.s3.enabled is true)");
  }

  @Test
  void accessLogs_enabledWithBucket_isAccepted() {
    LoadBalancerConfig c = LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA())
        .attributes(LoadBalancerAttributes.builder().accessLogs("/var/log/nlb", "prod").build()).build();
    assertThat(c.attributes().accessLogsEnabled()).isTrue();
    assertThat(c.attributes().accessLogsDirectory()).isEqualTo("/var/log/nlb");
    assertThat(c.attributes().accessLogsPrefix()).isEqualTo("prod");
  }

  @Test
  void modifyAttributes_enableAccessLogsWithoutBucket_isRejectedAndChangesNothing() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = create(nlb, Scheme.INTERNET_FACING);
      Map<String, String> before = lb.describeAttributes();
      NlbException e = nlbError(() -> lb.modifyAttributes(Map.of("access_logs.s3.enabled", "true")));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(e.problems()).containsExactly("access_logs.s3.bucket: \"\" (expected: a directory when access_logs.s3.enabled is true)");
      assertThat(lb.describeAttributes()).isEqualTo(before);
    }
  }

  /**
   * Guide, "Access logs" (bucket requirements): the prefix must not include AWSLogs, which the
   * log file path adds after the bucket and prefix. Refused when the attribute is set, not later
   * by the transport.
   */
  @Test
  void accessLogsPrefix_containingAWSLogs_isRefusedWhenSet() {
    String expected = "access_logs.s3.prefix: \"app/AWSLogs\" (expected: at most 1024 characters, without AWSLogs)";
    assertThat(argError(() -> LoadBalancerAttributes.builder().accessLogs("/tmp/logs", "app/AWSLogs"))).hasMessage(expected);
    assertThat(argError(() -> LoadBalancerAttributes.builder().set("access_logs.s3.prefix", "app/AWSLogs"))).hasMessage(expected);
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = create(nlb, Scheme.INTERNET_FACING);
      Map<String, String> before = lb.describeAttributes();
      NlbException e = nlbError(() -> lb.modifyAttributes(Map.of("access_logs.s3.enabled", "true",
          "access_logs.s3.bucket", "/tmp/logs", "access_logs.s3.prefix", "app/AWSLogs")));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(e.problems()).containsExactly(expected);
      assertThat(lb.describeAttributes()).isEqualTo(before);
      assertThat(lb.attributes().accessLogsEnabled()).isFalse();
    }
    assertThat(LoadBalancerAttributes.builder().accessLogs("/tmp/logs", "app/awslogs-like").build().accessLogsPrefix())
        .isEqualTo("app/awslogs-like");
  }

  @Test
  void modifyAttributes_enableAccessLogsWithBucket_isApplied() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = create(nlb, Scheme.INTERNET_FACING);
      lb.modifyAttributes(Map.of("access_logs.s3.enabled", "true", "access_logs.s3.bucket", "/tmp/logs"));
      assertThat(lb.describeAttributes()).containsEntry("access_logs.s3.enabled", "true").containsEntry("access_logs.s3.bucket", "/tmp/logs");
    }
  }

  @Test
  void badBoolean_isRejected() {
    assertThat(argError(() -> LoadBalancerAttributes.builder().set("deletion_protection.enabled", "yes")))
        .hasMessage("deletion_protection.enabled: \"yes\" (expected: true or false)");
    for (String key : LoadBalancerAttributes.keys()) {
      if (!key.startsWith("access_logs.s3.b") && !key.startsWith("access_logs.s3.p")) {
        assertThat(argError(() -> LoadBalancerAttributes.builder().set(key, "1"))).hasMessage(key + ": \"1\" (expected: true or false)");
      }
    }
  }

  @Test
  void boolean_anyCase_isNormalized() {
    assertThat(LoadBalancerAttributes.builder().set("load_balancing.cross_zone.enabled", "TRUE").build().crossZoneEnabled()).isTrue();
  }

  @Test
  void modifyAttributes_badBoolean_isRejectedAndChangesNothing() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = create(nlb, Scheme.INTERNET_FACING);
      Map<String, String> changes = new LinkedHashMap<>();
      changes.put("deletion_protection.enabled", "true");
      changes.put("load_balancing.cross_zone.enabled", "maybe");
      NlbException e = nlbError(() -> lb.modifyAttributes(changes));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(e.problems()).containsExactly("load_balancing.cross_zone.enabled: \"maybe\" (expected: true or false)");
      assertThat(lb.attributes().deletionProtectionEnabled()).isFalse();
    }
  }

  @Test
  void unknownKey_isRejectedWithTheListOfKeys() {
    assertThat(argError(() -> LoadBalancerAttributes.builder().set("idle_timeout.timeout_seconds", "60")))
        .hasMessage("loadBalancer.attributes: \"idle_timeout.timeout_seconds\" (expected: one of [access_logs.s3.enabled, "
            + "access_logs.s3.bucket, access_logs.s3.prefix, deletion_protection.enabled, ipv6.deny_all_igw_traffic, "
            + "load_balancing.cross_zone.enabled])");
  }

  @Test
  void modifyAttributes_unknownKey_isRejected() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = create(nlb, Scheme.INTERNET_FACING);
      NlbException e = nlbError(() -> lb.modifyAttributes(Map.of("nope", "true")));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(e.problems()).singleElement().asString().startsWith("loadBalancer.attributes: \"nope\" (expected: one of [access_logs.s3.enabled");
    }
  }

  @Test
  void modifyAttributes_keepsEarlierExplicitValues() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = create(nlb, Scheme.INTERNET_FACING);
      lb.modifyAttributes(Map.of("load_balancing.cross_zone.enabled", "true"));
      lb.modifyAttributes(Map.of("deletion_protection.enabled", "true"));
      assertThat(lb.attributes().crossZoneEnabled()).isTrue();
      assertThat(lb.attributes().deletionProtectionEnabled()).isTrue();
      lb.modifyAttributes(Map.of("deletion_protection.enabled", "false"));
    }
  }

  @Test
  void ipAddressType_ipv6_isRejected() {
    assertThat(argError(() -> LoadBalancerConfig.builder("lb").ipAddressType(IpAddressType.IPV6)))
        .hasMessage("loadBalancer.ipAddressType: \"ipv6\" (expected: ipv4 or dualstack)");
  }

  @Test
  void loadBalancerConfig_noZone_isRejected() {
    NlbException e = nlbError(() -> LoadBalancerConfig.builder("lb").build());
    assertThat(e.problems()).containsExactly("loadBalancer[lb].zones: \"[]\" (expected: at least one zone)");
  }
}
