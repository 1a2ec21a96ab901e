package io.nlb.core;

import static io.nlb.core.Fixtures.argError;
import static io.nlb.core.Fixtures.nlbError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Naming rules of load balancers, target groups and zones, and the tagging rules. */
class NamesAndTagsTest {
  private final ManualScheduler time = new ManualScheduler();

  // ------------------------------------------------------------------ load balancer names

  @Test
  void loadBalancerName_32Characters_isAccepted() {
    String name = "a".repeat(31) + "1";
    assertThat(LoadBalancerConfig.builder(name).zone(Fixtures.zoneA()).build().name()).isEqualTo(name);
  }

  @Test
  void loadBalancerName_1Character_isAccepted() {
    assertThat(LoadBalancerConfig.builder("a").zone(Fixtures.zoneA()).build().name()).isEqualTo("a");
  }

  @Test
  void loadBalancerName_33Characters_isRejected() {
    String name = "a".repeat(33);
    assertThat(argError(() -> LoadBalancerConfig.builder(name)))
        .hasMessage("loadBalancer.name: \"" + name + "\" (expected: 1-32 letters, digits and hyphens, not starting or ending with a hyphen)");
  }

  @Test
  void loadBalancerName_empty_isRejected() {
    assertThat(argError(() -> LoadBalancerConfig.builder(""))).hasMessageStartingWith("loadBalancer.name: \"\" (expected: 1-32");
  }

  @Test
  void loadBalancerName_leadingHyphen_isRejected() {
    assertThat(argError(() -> LoadBalancerConfig.builder("-web"))).hasMessageStartingWith("loadBalancer.name: \"-web\"");
  }

  @Test
  void loadBalancerName_trailingHyphen_isRejected() {
    assertThat(argError(() -> LoadBalancerConfig.builder("web-"))).hasMessageStartingWith("loadBalancer.name: \"web-\"");
  }

  @Test
  void loadBalancerName_innerHyphenAndDigits_isAccepted() {
    assertThatCode(() -> LoadBalancerConfig.builder("my-nlb-01")).doesNotThrowAnyException();
  }

  @Test
  void loadBalancerName_otherCharacters_isRejected() {
    for (String bad : List.of("my_nlb", "my.nlb", "my nlb", "nlbé")) {
      assertThat(argError(() -> LoadBalancerConfig.builder(bad))).hasMessageStartingWith("loadBalancer.name: \"" + bad + "\"");
    }
  }

  @Test
  void loadBalancerName_startingWithInternal_isRejected() {
    assertThat(argError(() -> LoadBalancerConfig.builder("internal-x")))
        .hasMessage("loadBalancer.name: \"internal-x\" (expected: a name not starting with internal-)");
    assertThat(argError(() -> LoadBalancerConfig.builder("Internal-x"))).hasMessageContaining("internal-");
  }

  @Test
  void loadBalancerName_internalWithoutHyphen_isAccepted() {
    assertThatCode(() -> LoadBalancerConfig.builder("internalx")).doesNotThrowAnyException();
  }

  @Test
  void loadBalancerName_taken_isRejectedWithDuplicateLoadBalancerName() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).build());
      NlbException e = nlbError(() -> nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).build()));
      assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_LOAD_BALANCER_NAME);
      assertThat(e).hasMessage("DuplicateLoadBalancerName: loadBalancer.name: \"lb\" (expected: a name no other load balancer uses)");
    }
  }

  // ------------------------------------------------------------------ target group names

  @Test
  void targetGroupName_32Characters_isAccepted() {
    String name = "g".repeat(32);
    assertThat(TargetGroupConfig.builder(name, Protocol.TCP, 80).build().name()).isEqualTo(name);
  }

  @Test
  void targetGroupName_33Characters_isRejected() {
    String name = "g".repeat(33);
    assertThat(argError(() -> TargetGroupConfig.builder(name, Protocol.TCP, 80)))
        .hasMessage("targetGroup.name: \"" + name + "\" (expected: 1-32 letters, digits and hyphens, not starting or ending with a hyphen)");
  }

  @Test
  void targetGroupName_hyphenAtEitherEnd_isRejected() {
    assertThat(argError(() -> TargetGroupConfig.builder("-web", Protocol.TCP, 80))).hasMessageStartingWith("targetGroup.name: \"-web\"");
    assertThat(argError(() -> TargetGroupConfig.builder("web-", Protocol.TCP, 80))).hasMessageStartingWith("targetGroup.name: \"web-\"");
  }

  @Test
  void targetGroupName_startingWithInternal_isAccepted() {
    assertThatCode(() -> TargetGroupConfig.builder("internal-x", Protocol.TCP, 80).build()).doesNotThrowAnyException();
  }

  @Test
  void targetGroupName_taken_isRejectedWithDuplicateTargetGroupName() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      Fixtures.ipGroup(nlb, "web");
      NlbException e = nlbError(() -> Fixtures.ipGroup(nlb, "web"));
      assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_TARGET_GROUP_NAME);
      assertThat(e.problems()).containsExactly("targetGroup.name: \"web\" (expected: a name no other target group uses)");
    }
  }

  @Test
  void targetGroupPort_0And65536_areRejected() {
    assertThat(argError(() -> TargetGroupConfig.builder("web", Protocol.TCP, 0))).hasMessage("targetGroup[web].port: 0 (expected: 1-65535)");
    assertThat(argError(() -> TargetGroupConfig.builder("web", Protocol.TCP, 65536))).hasMessage("targetGroup[web].port: 65536 (expected: 1-65535)");
    assertThatCode(() -> TargetGroupConfig.builder("web", Protocol.TCP, 65535).build()).doesNotThrowAnyException();
    assertThatCode(() -> TargetGroupConfig.builder("web", Protocol.TCP, 1).build()).doesNotThrowAnyException();
  }

  // ------------------------------------------------------------------ zone names

  @Test
  void zoneName_64Characters_isAccepted() {
    String name = "z".repeat(64);
    assertThat(Zone.of(name, "127.0.0.1").name()).isEqualTo(name);
  }

  @Test
  void zoneName_65Characters_isRejected() {
    String name = "z".repeat(65);
    assertThat(argError(() -> Zone.builder(name)))
        .hasMessage("zone.name: \"" + name + "\" (expected: 1-64 letters, digits and hyphens, not starting or ending with a hyphen)");
  }

  @Test
  void zoneName_badForms_areRejected() {
    for (String bad : List.of("", "-zone", "zone-", "zone_a", "zone a")) {
      assertThat(argError(() -> Zone.builder(bad))).hasMessageStartingWith("zone.name: \"" + bad + "\"");
    }
  }

  @Test
  void zone_withoutAddress_isRejected() {
    assertThat(argError(() -> Zone.builder("zone-a").build()))
        .hasMessage("zone[zone-a].addresses: \"[]\" (expected: at least one address for the zone's node)");
  }

  @Test
  void zone_twoIpv4Addresses_isRejected() {
    assertThat(argError(() -> Zone.builder("zone-a").address("127.0.0.1").address("127.0.0.2")))
        .hasMessage("zone[zone-a].address: \"127.0.0.2\" (expected: at most one IPv4 address per zone; already 127.0.0.1)");
  }

  @Test
  void targetZone_badName_isRejected() {
    assertThat(argError(() -> Target.ip("10.0.1.1").withZone("-a"))).hasMessageStartingWith("target[10.0.1.1].zone: \"-a\"");
  }

  // ------------------------------------------------------------------ tags

  private static Map<String, String> tags(int n) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      m.put("k" + i, "v" + i);
    }
    return m;
  }

  @Test
  void addTags_50Tags_isAccepted() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup tg = Fixtures.ipGroup(nlb, "web");
      tg.addTags(tags(50));
      assertThat(tg.tags()).hasSize(50);
    }
  }

  @Test
  void addTags_51stTag_isRejectedWithTooManyTagsAndChangesNothing() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).build());
      lb.addTags(tags(50));
      Map<String, String> before = lb.tags();
      NlbException e = nlbError(() -> lb.addTags(Map.of("one-more", "x")));
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_TAGS);
      assertThat(e).hasMessage("TooManyTags: loadBalancer[lb].tags: \"51 tags\" (expected: at most 50)");
      assertThat(lb.tags()).isEqualTo(before);
    }
  }

  @Test
  void addTags_overwritingExistingKeyAt50_isAccepted() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup tg = Fixtures.ipGroup(nlb, "web");
      tg.addTags(tags(50));
      tg.addTags(Map.of("k0", "new"));
      assertThat(tg.tags()).hasSize(50).containsEntry("k0", "new");
    }
  }

  @Test
  void configBuilder_51Tags_isRejected() {
    TargetGroupConfig.Builder b = TargetGroupConfig.builder("web", Protocol.TCP, 80);
    tags(51).forEach(b::tag);
    NlbException e = nlbError(b::build);
    assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_TAGS);
    assertThat(e.problems()).containsExactly("targetGroup[web].tags: \"51 tags\" (expected: at most 50)");
  }

  @Test
  void loadBalancerConfig_51Tags_isRejected() {
    LoadBalancerConfig.Builder b = LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA());
    tags(51).forEach(b::tag);
    NlbException e = nlbError(b::build);
    assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_TAGS);
    assertThat(e.problems()).containsExactly("loadBalancer[lb].tags: \"51 tags\" (expected: at most 50)");
  }

  @Test
  void tagKey_127Characters_isAccepted() {
    String key = "k".repeat(127);
    assertThat(Tags.checkKey("key", key)).isEqualTo(key);
  }

  @Test
  void tagKey_127NonAsciiCodePoints_isAccepted() {
    String key = "\uD801\uDC00".repeat(127); // a letter outside the BMP: 127 code points, 254 chars
    assertThat(Tags.checkKey("key", key)).isEqualTo(key);
  }

  @Test
  void tagKey_128Characters_isRejected() {
    String key = "k".repeat(128);
    assertThat(argError(() -> Tags.checkKey("key", key))).hasMessage("key: \"" + key + "\" (expected: 1-127 characters)");
  }

  @Test
  void tagKey_empty_isRejected() {
    assertThat(argError(() -> Tags.checkKey("key", ""))).hasMessage("key: \"\" (expected: 1-127 characters)");
  }

  @Test
  void tagValue_255Characters_isAccepted() {
    String v = "v".repeat(255);
    assertThat(Tags.checkValue("value", v)).isEqualTo(v);
  }

  @Test
  void tagValue_empty_isAccepted() {
    assertThat(Tags.checkValue("value", "")).isEmpty();
  }

  @Test
  void tagValue_256Characters_isRejected() {
    String v = "v".repeat(256);
    assertThat(argError(() -> Tags.checkValue("value", v))).hasMessage("value: \"" + v + "\" (expected: 0-255 characters)");
  }

  @Test
  void tag_allowedCharacters_areAccepted() {
    String text = "Équipe 7 + - = . _ : / @ 東京 ß";
    assertThat(Tags.checkKey("key", text)).isEqualTo(text);
    assertThat(Tags.checkValue("value", text)).isEqualTo(text);
  }

  @Test
  void tag_otherCharacters_areRejected() {
    for (String bad : List.of("a!b", "a#b", "a,b", "a*b", "a\tb", "a%b", "a&b")) {
      assertThat(argError(() -> Tags.checkKey("key", bad)))
          .hasMessage("key: \"" + bad + "\" (expected: letters, digits, spaces and + - = . _ : / @)");
      assertThat(argError(() -> Tags.checkValue("value", bad))).hasMessageStartingWith("value: \"" + bad + "\"");
    }
  }

  @Test
  void tag_leadingOrTrailingSpace_isRejected() {
    assertThat(argError(() -> Tags.checkKey("key", " team"))).hasMessage("key: \" team\" (expected: no leading or trailing spaces)");
    assertThat(argError(() -> Tags.checkKey("key", "team "))).hasMessage("key: \"team \" (expected: no leading or trailing spaces)");
    assertThat(argError(() -> Tags.checkValue("value", " x"))).hasMessageStartingWith("value: \" x\"");
    assertThat(argError(() -> Tags.checkValue("value", "x "))).hasMessageStartingWith("value: \"x \"");
    assertThat(Tags.checkKey("key", "my team")).isEqualTo("my team");
  }

  @Test
  void tag_awsPrefix_isReserved() {
    assertThat(argError(() -> Tags.checkKey("key", "aws:owner")))
        .hasMessage("key: \"aws:owner\" (expected: a key not starting with the reserved prefix aws:)");
    assertThat(argError(() -> Tags.checkKey("key", "AWS:owner"))).hasMessageContaining("reserved prefix aws:");
    assertThat(argError(() -> Tags.checkValue("value", "aws:x")))
        .hasMessage("value: \"aws:x\" (expected: a value not starting with the reserved prefix aws:)");
    assertThat(Tags.checkKey("key", "awsx:owner")).isEqualTo("awsx:owner");
  }

  @Test
  void addTags_existingKey_isOverwritten() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup tg = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 80).tag("team", "a").build());
      tg.addTags(Map.of("team", "b"));
      assertThat(tg.tags()).isEqualTo(Map.of("team", "b"));
    }
  }

  @Test
  void removeTags_unknownKey_isIgnored() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      LoadBalancer lb = nlb.createLoadBalancer(LoadBalancerConfig.builder("lb").zone(Fixtures.zoneA()).tag("team", "a").tag("env", "prod").build());
      lb.removeTags(List.of("team", "no-such-key"));
      assertThat(lb.tags()).isEqualTo(Map.of("env", "prod"));
    }
  }

  @Test
  void addTags_oneBadTag_changesNothingAndListsEveryProblem() {
    try (Nlb nlb = Fixtures.nlb(time)) {
      TargetGroup tg = nlb.createTargetGroup(TargetGroupConfig.builder("web", Protocol.TCP, 80).tag("team", "a").build());
      Map<String, String> additions = new LinkedHashMap<>();
      additions.put("team", "b");
      additions.put("ok", "fine");
      additions.put("bad!", "x");
      additions.put("aws:x", "y");
      NlbException e = nlbError(() -> tg.addTags(additions));
      assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
      assertThat(e.problems()).containsExactly(
          "targetGroup[web].tags[bad!].key: \"bad!\" (expected: letters, digits, spaces and + - = . _ : / @)",
          "targetGroup[web].tags[aws:x].key: \"aws:x\" (expected: a key not starting with the reserved prefix aws:)");
      assertThat(tg.tags()).isEqualTo(Map.of("team", "a"));
    }
  }

  @Test
  void configTag_badKey_isRejectedAtOnce() {
    assertThat(argError(() -> LoadBalancerConfig.builder("lb").tag("k".repeat(128), "v")))
        .hasMessageStartingWith("loadBalancer[lb].tags[" + "k".repeat(128) + "].key: ");
  }
}
