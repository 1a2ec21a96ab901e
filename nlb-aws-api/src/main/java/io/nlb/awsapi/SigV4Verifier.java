package io.nlb.awsapi;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Verifies AWS Signature Version 4 ({@code AWS4-HMAC-SHA256} in the {@code Authorization}
 * header): rebuilds the canonical request from what arrived, derives the signing key from the
 * configured secret, and compares in constant time. Thread-safe (immutable).
 *
 * <p>Refusals carry the codes of the AWS common errors: no signature is {@code
 * MissingAuthenticationToken} (403), a malformed one {@code IncompleteSignature} (400), an
 * unknown access key {@code InvalidClientTokenId} (403), a wrong signature, region or service
 * {@code SignatureDoesNotMatch} (403), and a request time more than 15 minutes from the clock
 * {@code RequestExpired} (400).
 */
final class SigV4Verifier {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final Duration MAX_SKEW = Duration.ofMinutes(15);
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);
  private static final HexFormat HEX = HexFormat.of();

  /** What arrived, as the verifier needs it. Header names lower case, values in arrival order. */
  record SignedRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {}

  private final Map<String, String> secrets;
  private final String region;
  private final Set<String> services;
  private final Clock clock;

  SigV4Verifier(Map<String, String> secrets, String region, Set<String> services, Clock clock) {
    this.secrets = Map.copyOf(secrets);
    this.region = region;
    this.services = Set.copyOf(services);
    this.clock = clock;
  }

  /**
   * Verifies the request and returns the service it was signed for.
   *
   * @throws ApiException with the AWS code when the request is not signed right
   */
  String verify(SignedRequest r) {
    String auth = first(r.headers(), "authorization");
    if (auth == null) {
      if (r.rawQuery().contains("X-Amz-Signature=")) {
        throw new ApiException("IncompleteSignature", 400,
            "X-Amz-Signature: (query string) (expected: the Authorization header; pre-signed URLs are not accepted)");
      }
      throw new ApiException("MissingAuthenticationToken", 403, "Request is missing Authentication Token");
    }
    if (!auth.startsWith(ALGORITHM + " ")) {
      throw new ApiException("IncompleteSignature", 400,
          "Authorization: " + algorithmOf(auth) + " (expected: " + ALGORITHM + ")");
    }
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    for (String part : auth.substring(ALGORITHM.length() + 1).split(",")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String k = p.substring(0, eq);
      String v = p.substring(eq + 1);
      switch (k) {
        case "Credential" -> credential = v;
        case "SignedHeaders" -> signedHeaders = v;
        case "Signature" -> signature = v;
        default -> { }
      }
    }
    if (credential == null || signedHeaders == null || signature == null) {
      throw new ApiException("IncompleteSignature", 400,
          "Authorization: (header) (expected: Credential, SignedHeaders and Signature)");
    }
    String[] scope = credential.split("/");
    if (scope.length != 5 || !scope[4].equals("aws4_request")) {
      throw new ApiException("IncompleteSignature", 400,
          "Credential: " + credential + " (expected: <access key>/<yyyymmdd>/<region>/<service>/aws4_request)");
    }
    String accessKey = scope[0];
    String secret = secrets.get(accessKey);
    if (secret == null) {
      throw new ApiException("InvalidClientTokenId", 403, "The security token included in the request is invalid.");
    }
    String amzDate = first(r.headers(), "x-amz-date");
    if (amzDate == null) {
      throw new ApiException("IncompleteSignature", 400, "X-Amz-Date: (absent) (expected: the request time, yyyyMMdd'T'HHmmss'Z')");
    }
    Instant requestTime;
    try {
      requestTime = LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new ApiException("IncompleteSignature", 400, "X-Amz-Date: " + amzDate + " (expected: yyyyMMdd'T'HHmmss'Z')");
    }
    Instant now = clock.instant();
    if (Duration.between(requestTime, now).abs().compareTo(MAX_SKEW) > 0) {
      throw new ApiException("RequestExpired", 400, "Request has expired: X-Amz-Date " + amzDate
          + " is more than 15 minutes from the server time " + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC)));
    }
    if (!scope[1].equals(amzDate.substring(0, 8))) {
      throw new ApiException("SignatureDoesNotMatch", 403,
          "Credential date: " + scope[1] + " (expected: the date of X-Amz-Date, " + amzDate.substring(0, 8) + ")");
    }
    if (!scope[2].equals(region)) {
      throw new ApiException("SignatureDoesNotMatch", 403,
          "Credential should be scoped to a valid region: " + scope[2] + " (expected: " + region + ")");
    }
    if (!services.contains(scope[3])) {
      throw new ApiException("SignatureDoesNotMatch", 403,
          "Credential should be scoped to correct service: " + scope[3] + " (expected: one of " + services + ")");
    }
    List<String> headerNames = List.of(signedHeaders.split(";"));
    if (!headerNames.contains("host")) {
      throw new ApiException("IncompleteSignature", 400, "SignedHeaders: " + signedHeaders + " (expected: to include host)");
    }
    String payloadHash = first(r.headers(), "x-amz-content-sha256");
    String bodyHash = HEX.formatHex(sha256(r.body()));
    if (payloadHash == null || payloadHash.equals("UNSIGNED-PAYLOAD")) {
      payloadHash = bodyHash;
    } else if (!payloadHash.equalsIgnoreCase(bodyHash)) {
      throw new ApiException("SignatureDoesNotMatch", 403, "x-amz-content-sha256: " + payloadHash
          + " (expected: the SHA-256 of the body, " + bodyHash + ")");
    }
    String canonical = r.method() + "\n"
        + canonicalPath(r.rawPath()) + "\n"
        + canonicalQuery(r.rawQuery()) + "\n"
        + canonicalHeaders(r.headers(), headerNames) + "\n"
        + signedHeaders + "\n"
        + payloadHash;
    String credentialScope = scope[1] + "/" + scope[2] + "/" + scope[3] + "/aws4_request";
    String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + credentialScope + "\n"
        + HEX.formatHex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), scope[1]);
    key = hmac(key, scope[2]);
    key = hmac(key, scope[3]);
    key = hmac(key, "aws4_request");
    byte[] expected = hmac(key, stringToSign);
    byte[] given;
    try {
      given = HEX.parseHex(signature.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      given = new byte[0];
    }
    if (!MessageDigest.isEqual(expected, given)) {
      throw new ApiException("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the "
          + "signature you provided. Check your AWS Secret Access Key and signing method.");
    }
    return scope[3];
  }

  private static String algorithmOf(String auth) {
    int sp = auth.indexOf(' ');
    return sp < 0 ? auth : auth.substring(0, sp);
  }

  private static @Nullable String first(Map<String, List<String>> headers, String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** The path encoded once more, as services other than S3 sign it; empty means {@code /}. */
  static String canonicalPath(String rawPath) {
    if (rawPath.isEmpty()) {
      return "/";
    }
    return uriEncode(rawPath, false);
  }

  /** Parameters decoded, then each name and value encoded by the SigV4 rules, sorted. */
  static String canonicalQuery(String rawQuery) {
    if (rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> pairs = new ArrayList<>();
    for (String p : rawQuery.split("&")) {
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String k = eq < 0 ? p : p.substring(0, eq);
      String v = eq < 0 ? "" : p.substring(eq + 1);
      pairs.add(new String[] {uriEncode(decode(k), true), uriEncode(decode(v), true)});
    }
    pairs.sort((a, b) -> {
      int c = a[0].compareTo(b[0]);
      return c != 0 ? c : a[1].compareTo(b[1]);
    });
    StringBuilder sb = new StringBuilder();
    for (String[] kv : pairs) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(kv[0]).append('=').append(kv[1]);
    }
    return sb.toString();
  }

  private static String canonicalHeaders(Map<String, List<String>> headers, List<String> names) {
    StringBuilder sb = new StringBuilder();
    for (String name : names) {
      List<String> values = headers.get(name);
      if (values == null) {
        throw new ApiException("SignatureDoesNotMatch", 403,
            "SignedHeaders: " + name + " (expected: a header the request carries)");
      }
      sb.append(name).append(':');
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(values.get(i).trim().replaceAll(" +", " "));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Percent-decodes ({@code +} stays a plus, as in the SigV4 canonical form of a query). */
  private static String decode(String s) {
    try {
      return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ApiException("SignatureDoesNotMatch", 403, "query: " + s + " (expected: valid percent-encoding)");
    }
  }

  /** RFC 3986 unreserved characters stay; everything else is %XX of its UTF-8 bytes. */
  static String uriEncode(String s, boolean encodeSlash) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash)) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }
}
