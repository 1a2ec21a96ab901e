package io.nlb.tls;

import io.nlb.core.AlpnPolicy;
import java.util.List;

/**
 * The ALPN preference lists of the five ALPN policies as the documentation gives them. They differ
 * from {@link AlpnPolicy#protocols()} in one way: the HTTP/1 policies also offer {@code http/1.0}
 * after {@code http/1.1}.
 */
public final class Alpn {
  private Alpn() {}

  /** The protocols the listener accepts under {@code policy}, most preferred first; empty for {@code None}. */
  public static List<String> preferenceList(AlpnPolicy policy) {
    return switch (policy) {
      case HTTP1_ONLY -> List.of("http/1.1", "http/1.0");
      case HTTP2_ONLY -> List.of("h2");
      case HTTP2_OPTIONAL -> List.of("http/1.1", "http/1.0", "h2");
      case HTTP2_PREFERRED -> List.of("h2", "http/1.1", "http/1.0");
      case NONE -> List.of();
    };
  }
}
