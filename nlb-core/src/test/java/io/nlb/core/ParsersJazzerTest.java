package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Map;

/**
 * Coverage-guided fuzzing of everything that parses user text: attribute values under every key,
 * address literals and ranges, health-check matchers and ports, names, tags. The property: a
 * value is accepted, or refused with an {@link IllegalArgumentException} or {@link NlbException}
 * whose message names a field and says what is expected — never another exception. In a normal
 * test run the committed corpus replays; {@code JAZZER_FUZZ=1} fuzzes.
 */
class ParsersJazzerTest {
  @FuzzTest(maxDuration = "10m")
  void parse_anyText_acceptedOrRefusedWithFieldAndExpectation(FuzzedDataProvider data) {
    int which = data.consumeInt(0, 11);
    String text = data.consumeRemainingAsString();
    try {
      switch (which) {
        case 0 -> LoadBalancerAttributes.builder().set(pick(LoadBalancerAttributes.keys(), text), text);
        case 1 -> TargetGroupAttributes.builder().set(pick(TargetGroupAttributes.keys(), text), text);
        case 2 -> ListenerAttributes.builder().set(ListenerAttributes.TCP_IDLE_TIMEOUT, text);
        case 3 -> Cidr.parse(text);
        case 4 -> Target.ip(text);
        case 5 -> HealthCheck.Matcher.parse(text);
        case 6 -> HealthCheck.builder().port(text);
        case 7 -> LoadBalancerConfig.builder(text);
        case 8 -> TargetGroupConfig.builder(text, Protocol.TCP, 80);
        case 9 -> Tags.add("lb", Map.of(), Map.of(text, text));
        case 10 -> Zone.builder("z").address(text);
        default -> Target.instance(text);
      }
    } catch (IllegalArgumentException | NlbException e) {
      assertThat(e.getMessage()).matches("(?s).*: .* \\(expected: .*\\).*");
    }
  }

  private static String pick(java.util.List<String> keys, String text) {
    return keys.get(Math.floorMod(text.hashCode(), keys.size()));
  }
}
