package io.nlb.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextAddressesTest {
  static byte[] expected(String literal) throws Exception {
    byte[] b = InetAddress.getByName(literal).getAddress(); // a literal: never a lookup
    if (b.length == 4 && literal.contains(":")) { // the JDK turns ::ffff:a.b.c.d into IPv4
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xFF;
      mapped[11] = (byte) 0xFF;
      System.arraycopy(b, 0, mapped, 12, 4);
      return mapped;
    }
    return b;
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "192.0.2.1", "255.255.255.255", "10.0.100.9"})
  void ipv4_valid_matchesJdk(String s) throws Exception {
    assertThat(TextAddresses.ipv4(s, 0, s.length())).isEqualTo(expected(s));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.256", "1..2.3", "1.2.3.4.",
      "a.b.c.d", "1.2.3.-4", " 1.2.3.4", "1234.1.1.1"})
  void ipv4_invalid_rejected(String s) {
    assertThat(TextAddresses.ipv4(s, 0, s.length())).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:0:0:0:7",
      "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "fe80::1:2",
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:192.0.2.1", "64:ff9b::198.51.100.7",
      "1:2:3:4:5:6:1.2.3.4", "0:0:0:0:0:0:0:0"})
  void ipv6_valid_matchesJdk(String s) throws Exception {
    assertThat(TextAddresses.ipv6(s, 0, s.length())).isEqualTo(expected(s));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3",
      ":1::", "1:", "12345::", "g::1", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::01.2.3.4",
      "1.2.3.4", "::1 ", "1:2:3:4:5:6:7:8::"})
  void ipv6_invalid_rejected(String s) {
    assertThat(TextAddresses.ipv6(s, 0, s.length())).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1", "443", "65535"})
  void port_valid_parsed(String s) {
    assertThat(TextAddresses.port(s, 0, s.length())).isEqualTo(Integer.parseInt(s));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "00", "0443", "65536", "999999", "-1", "1a", "+1"})
  void port_invalid_rejected(String s) {
    assertThat(TextAddresses.port(s, 0, s.length())).isEqualTo(-1);
  }
}
