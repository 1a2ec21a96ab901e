package io.nlb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The API spellings of the enums whose names come from {@code WireNames}, and their parsers. */
class WireSpellingsTest {
  @Test
  void errorCodes_arePascalCase_withTheApisOwnAcronyms() {
    assertThat(ErrorCode.VALIDATION_ERROR.apiName()).isEqualTo("ValidationError");
    assertThat(ErrorCode.TOO_MANY_REGISTRATIONS_FOR_TARGET_ID.apiName()).isEqualTo("TooManyRegistrationsForTargetId");
    assertThat(ErrorCode.SSL_POLICY_NOT_FOUND.apiName()).isEqualTo("SSLPolicyNotFound");
    assertThat(ErrorCode.ALPN_POLICY_NOT_SUPPORTED).hasToString("ALPNPolicyNotSupported");
  }

  @Test
  void lowerHyphenNames_roundTripThroughParse() {
    assertThat(Scheme.INTERNET_FACING.apiName()).isEqualTo("internet-facing");
    assertThat(IpAddressType.DUALSTACK).hasToString("dualstack");
    assertThat(TargetType.ALB.apiName()).isEqualTo("alb");
    for (Scheme s : Scheme.values()) {
      assertThat(Scheme.parse("scheme", " " + s.apiName().toUpperCase(Locale.ROOT) + " ")).isSameAs(s);
    }
    for (IpAddressType t : IpAddressType.values()) {
      assertThat(IpAddressType.parse("ipAddressType", t.apiName())).isSameAs(t);
    }
    for (TargetType t : TargetType.values()) {
      assertThat(TargetType.parse("targetType", t.apiName())).isSameAs(t);
    }
  }

  @Test
  void unknownSpellings_nameTheFieldTheValueAndTheChoices() {
    assertThatThrownBy(() -> Scheme.parse("loadBalancer.scheme", "public"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("loadBalancer.scheme: \"public\" (expected: internet-facing or internal)");
    assertThatThrownBy(() -> TargetType.parse("targetType", "lambda"))
        .hasMessage("targetType: \"lambda\" (expected: instance, ip or alb)");
    assertThatThrownBy(() -> AlpnPolicy.parse("alpnPolicy", "h3"))
        .hasMessageContaining("alpnPolicy: \"h3\"");
    assertThatThrownBy(() -> CrossZone.ofApiValue("yes")).hasMessageContaining("\"yes\"");
    assertThatThrownBy(() -> TargetHealthReason.ofCode("Target.Unknown"))
        .hasMessageStartingWith("reasonCode: \"Target.Unknown\"");
  }

  @Test
  void otherLookups_findEveryConstant() {
    assertThat(AlpnPolicy.parse("alpnPolicy", "http2preferred")).isSameAs(AlpnPolicy.HTTP2_PREFERRED);
    for (CrossZone c : CrossZone.values()) {
      assertThat(CrossZone.ofApiValue(c.apiValue())).isSameAs(c);
    }
    for (TargetHealthReason r : TargetHealthReason.values()) {
      assertThat(TargetHealthReason.ofCode(r.code())).isSameAs(r);
    }
  }
}
