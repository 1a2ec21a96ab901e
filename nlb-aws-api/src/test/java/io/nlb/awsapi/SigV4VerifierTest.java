package io.nlb.awsapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SigV4VerifierTest {
  /** The "get-vanilla" case of the published Signature Version 4 test suite. */
  private static final String VANILLA_SIGNATURE = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
  private static final Instant VANILLA_TIME = Instant.parse("2015-08-30T12:36:00Z");

  private static SigV4Verifier verifier(Instant now) {
    return new SigV4Verifier(Map.of("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "us-east-1",
        Set.of("service"), Clock.fixed(now, ZoneOffset.UTC));
  }

  private static SigV4Verifier.SignedRequest vanilla(String signature) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("host", List.of("example.amazonaws.com"));
    headers.put("x-amz-date", List.of("20150830T123600Z"));
    headers.put("authorization", List.of("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        + "SignedHeaders=host;x-amz-date, Signature=" + signature));
    return new SigV4Verifier.SignedRequest("GET", "/", "", headers, new byte[0]);
  }

  @Test
  void verify_publishedVanillaCase_accepts() {
    assertThat(verifier(VANILLA_TIME).verify(vanilla(VANILLA_SIGNATURE))).isEqualTo("service");
  }

  @Test
  void verify_oneDigitChanged_isSignatureDoesNotMatch() {
    ApiException e = catchThrowableOfType(ApiException.class,
        () -> verifier(VANILLA_TIME).verify(vanilla(VANILLA_SIGNATURE.replace('5', '6'))));
    assertThat(e.code()).isEqualTo("SignatureDoesNotMatch");
    assertThat(e.status()).isEqualTo(403);
  }

  @Test
  void verify_clockFifteenMinutesAndASecondLater_isRequestExpired() {
    ApiException e = catchThrowableOfType(ApiException.class,
        () -> verifier(VANILLA_TIME.plusSeconds(15 * 60 + 1)).verify(vanilla(VANILLA_SIGNATURE)));
    assertThat(e.code()).isEqualTo("RequestExpired");
    assertThat(e.status()).isEqualTo(400);
    assertThat(verifier(VANILLA_TIME.plusSeconds(15 * 60)).verify(vanilla(VANILLA_SIGNATURE))).isEqualTo("service");
  }

  @Test
  void verify_malformedAuthorization_isIncompleteSignature() {
    Map<String, List<String>> headers = new LinkedHashMap<>(vanilla(VANILLA_SIGNATURE).headers());
    headers.put("authorization", List.of("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"));
    ApiException e = catchThrowableOfType(ApiException.class, () -> verifier(VANILLA_TIME)
        .verify(new SigV4Verifier.SignedRequest("GET", "/", "", headers, new byte[0])));
    assertThat(e.code()).isEqualTo("IncompleteSignature");
    assertThat(e.getMessage()).contains("Credential, SignedHeaders and Signature");
  }

  @Test
  void canonicalQuery_sortsAndEncodes() {
    assertThat(SigV4Verifier.canonicalQuery("b=2&a=x%20y&a=1&c=%2F~"))
        .isEqualTo("a=1&a=x%20y&b=2&c=%2F~");
    assertThat(SigV4Verifier.canonicalPath("/a b/")).isEqualTo("/a%20b/");
  }
}
