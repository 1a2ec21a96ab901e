package io.nlb.tls;

import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Recovers the TLS alert a peer sent from the exception a provider raised, for the access log's
 * {@code incoming_tls_alert}. Neither provider exposes the alert as a value, so this reads their
 * messages: JSSE writes {@code "Received fatal alert: handshake_failure"}; BoringSSL packs the
 * alert into the error code's reason ({@code "error:10000410:SSL routines:OPENSSL_internal:
 * SSLV3_ALERT_HANDSHAKE_FAILURE"}, reason 0x410 = 1000 + 40, BoringSSL's {@code
 * SSL_AD_REASON_OFFSET}). Alerts this side sent are not matched by either form.
 */
final class Alerts {
  private static final String JDK_PREFIX = "Received fatal alert: ";
  private static final int BORINGSSL_REASON_OFFSET = 1000;
  // RFC 8446 section 6 alert descriptions, by their registry names (as JSSE prints them).
  private static final Map<String, Integer> CODES = Map.ofEntries(
      Map.entry("close_notify", 0), Map.entry("unexpected_message", 10), Map.entry("bad_record_mac", 20),
      Map.entry("record_overflow", 22), Map.entry("handshake_failure", 40), Map.entry("bad_certificate", 42),
      Map.entry("unsupported_certificate", 43), Map.entry("certificate_revoked", 44), Map.entry("certificate_expired", 45),
      Map.entry("certificate_unknown", 46), Map.entry("illegal_parameter", 47), Map.entry("unknown_ca", 48),
      Map.entry("access_denied", 49), Map.entry("decode_error", 50), Map.entry("decrypt_error", 51),
      Map.entry("protocol_version", 70), Map.entry("insufficient_security", 71), Map.entry("internal_error", 80),
      Map.entry("inappropriate_fallback", 86), Map.entry("user_canceled", 90), Map.entry("missing_extension", 109),
      Map.entry("unsupported_extension", 110), Map.entry("unrecognized_name", 112), Map.entry("no_application_protocol", 120));

  private Alerts() {}

  /** The alert code received from the peer named anywhere in {@code cause}'s chain, or -1. */
  static int received(@Nullable Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m == null) {
        continue;
      }
      int code = jdk(m);
      if (code < 0) {
        code = boringSsl(m);
      }
      if (code >= 0) {
        return code;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return -1;
  }

  private static int jdk(String m) {
    int at = m.indexOf(JDK_PREFIX);
    if (at < 0) {
      return -1;
    }
    String rest = m.substring(at + JDK_PREFIX.length()).trim();
    int end = 0;
    while (end < rest.length() && (Character.isLetter(rest.charAt(end)) || rest.charAt(end) == '_')) {
      end++;
    }
    Integer code = CODES.get(rest.substring(0, end));
    return code == null ? -1 : code;
  }

  private static int boringSsl(String m) {
    // error:XXXXXXXX:lib:func:REASON; the low 12 bits of the packed code are the reason.
    int at = m.indexOf("error:");
    if (at >= 0 && m.length() >= at + 14 && m.charAt(at + 14) == ':') {
      try {
        int packed = (int) Long.parseLong(m.substring(at + 6, at + 14), 16);
        int reason = packed & 0xfff;
        if (reason >= BORINGSSL_REASON_OFFSET && reason < BORINGSSL_REASON_OFFSET + 256) {
          return reason - BORINGSSL_REASON_OFFSET;
        }
      } catch (NumberFormatException e) {
        // not a packed code; try the name below
      }
    }
    String upper = m.toUpperCase(Locale.ROOT);
    for (String prefix : new String[] {"SSLV3_ALERT_", "TLSV1_ALERT_"}) {
      int p = upper.indexOf(prefix);
      if (p >= 0) {
        int s = p + prefix.length();
        int e = s;
        while (e < upper.length() && (Character.isLetter(upper.charAt(e)) || upper.charAt(e) == '_')) {
          e++;
        }
        Integer code = CODES.get(upper.substring(s, e).toLowerCase(Locale.ROOT));
        if (code != null) {
          return code;
        }
      }
    }
    return -1;
  }
}
