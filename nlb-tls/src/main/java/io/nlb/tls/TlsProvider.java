package io.nlb.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * The TLS implementation a listener runs on.
 *
 * <ul>
 *   <li>{@link #JDK}: JSSE. Always present. Legacy protocols and suites are limited by the JVM's
 *       {@code jdk.tls.disabledAlgorithms} security property.
 *   <li>{@link #OPENSSL}: BoringSSL through netty-tcnative (optional dependency
 *       {@code io.netty:netty-tcnative-boringssl-static}). Faster; lacks some SHA-2 CBC suites and
 *       cannot put TLS 1.3 suites in server order.
 * </ul>
 *
 * <p>Whether a provider serves a policy exactly is answered by {@link PolicySupport#check}.
 *
 * @since 0.1
 */
public enum TlsProvider {
  /** JSSE, the JVM's own TLS. */
  JDK,
  /** BoringSSL through netty-tcnative. */
  OPENSSL;

  /** {@return whether the provider can be used in this process (for OpenSSL: the native library loaded)} */
  public boolean isAvailable() {
    return this == JDK || OpenSslProbe.available();
  }

  SslProvider nettyProvider() {
    return this == JDK ? SslProvider.JDK : SslProvider.OPENSSL;
  }

  /** Keeps every touch of {@link OpenSsl} behind one class, so a missing tcnative fails softly. */
  static final class OpenSslProbe {
    private OpenSslProbe() {}

    static boolean available() {
      try {
        return OpenSsl.isAvailable();
      } catch (LinkageError e) {
        return false;
      }
    }

    static String unavailabilityCause() {
      try {
        Throwable t = OpenSsl.unavailabilityCause();
        return t == null ? "available" : String.valueOf(t.getMessage());
      } catch (LinkageError e) {
        return "netty-tcnative is not on the class path (" + e + ")";
      }
    }
  }
}
