package io.nlb.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Fills the response to one query, as an authoritative server of one zone that does not recurse
 * (RFC 1034 section 4.3.2, RFC 2308 for negative answers). Thread-safe: it keeps no state.
 */
final class Responder {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Responder.class);
  /** The largest UDP response a client without EDNS accepts (RFC 1035 section 4.2.1). */
  static final int UDP_LIMIT = 512;
  private static final int CLASS_IN = 1;
  private static final int CLASS_ANY = 255;

  private final NodeDirectory directory;
  private final String zone;
  private final long ttl;
  private final String nameServer;
  private final String hostmaster;

  Responder(NodeDirectory directory, String zone, long ttlSeconds) {
    this.directory = directory;
    this.zone = zone;
    this.ttl = ttlSeconds;
    this.nameServer = "ns." + zone;
    this.hostmaster = "hostmaster." + zone;
  }

  /** Answers {@code query} into {@code response}; {@code udp}: truncate above {@link #UDP_LIMIT}. */
  void answer(DnsQuery query, DnsResponse response, boolean udp) {
    response.setRecursionDesired(query.isRecursionDesired());
    response.setRecursionAvailable(false);
    if (query.count(DnsSection.QUESTION) != 1) {
      response.setCode(DnsResponseCode.FORMERR);
      return;
    }
    DnsRecord question = query.recordAt(DnsSection.QUESTION);
    response.addRecord(DnsSection.QUESTION, question);
    if (!query.opCode().equals(DnsOpCode.QUERY)) {
      response.setCode(DnsResponseCode.NOTIMP);
      return;
    }
    String name = normalize(question.name());
    int dnsClass = question.dnsClass() & 0xffff;
    if (!inZone(name) || (dnsClass != CLASS_IN && dnsClass != CLASS_ANY)) {
      response.setCode(DnsResponseCode.REFUSED);
      return;
    }
    response.setAuthoritativeAnswer(true);
    String owner = question.name();
    DnsRecordType type = question.type();
    List<DnsRecord> answers = new ArrayList<>();
    DnsResponseCode code = DnsResponseCode.NOERROR;
    try {
      if (name.equals(zone)) {
        if (type.equals(DnsRecordType.SOA) || type.equals(DnsRecordType.ANY)) {
          answers.add(soa(owner));
        }
        if (type.equals(DnsRecordType.NS) || type.equals(DnsRecordType.ANY)) {
          answers.add(raw(owner, DnsRecordType.NS, nameBytes(nameServer)));
        }
      } else {
        List<InetAddress> addresses = addresses(name);
        if (addresses == null) {
          code = DnsResponseCode.NXDOMAIN;
        } else {
          for (InetAddress a : addresses) {
            if (a instanceof Inet4Address && (type.equals(DnsRecordType.A) || type.equals(DnsRecordType.ANY))) {
              answers.add(raw(owner, DnsRecordType.A, a.getAddress()));
            } else if (a instanceof Inet6Address && (type.equals(DnsRecordType.AAAA) || type.equals(DnsRecordType.ANY))) {
              answers.add(raw(owner, DnsRecordType.AAAA, a.getAddress()));
            }
          }
        }
      }
    } catch (RuntimeException e) {
      release(answers);
      response.setAuthoritativeAnswer(false);
      response.setCode(DnsResponseCode.SERVFAIL);
      log.warn("dns: the node directory failed for {} {}: {}", name, type.name(), e.toString());
      return;
    }
    response.setCode(code);
    for (DnsRecord r : answers) {
      response.addRecord(DnsSection.ANSWER, r);
    }
    if (answers.isEmpty()) {
      // NXDOMAIN or no data: the zone's SOA tells resolvers how long to cache that (RFC 2308).
      response.addRecord(DnsSection.AUTHORITY, soa(zone + "."));
    }
    if (udp && size(response) > UDP_LIMIT) {
      response.clear(DnsSection.ANSWER);
      response.clear(DnsSection.AUTHORITY);
      response.setTruncated(true);
    }
  }

  /** The addresses {@code name} resolves to, or {@code null} when no such name exists in the zone. */
  private @Nullable List<InetAddress> addresses(String name) {
    Optional<List<DnsNode>> nodes = directory.nodes(name);
    if (nodes.isPresent()) {
      List<InetAddress> out = new ArrayList<>();
      for (DnsNode n : Answers.select(nodes.get())) {
        out.addAll(n.addresses());
      }
      return out;
    }
    // <zone>.<load balancer's name>: that zone's node, whatever its health, unless it is gone.
    int dot = name.indexOf('.');
    String parent = name.substring(dot + 1);
    if (parent.equals(zone)) {
      return null;
    }
    Optional<List<DnsNode>> siblings = directory.nodes(parent);
    if (siblings.isEmpty()) {
      return null;
    }
    String label = name.substring(0, dot);
    for (DnsNode n : siblings.get()) {
      if (n.zone().toLowerCase(Locale.ROOT).equals(label)) {
        return n.state() == NodeState.GONE ? List.of() : n.addresses();
      }
    }
    return null;
  }

  private boolean inZone(String name) {
    return name.equals(zone) || name.endsWith("." + zone);
  }

  static String normalize(String name) {
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    return n.toLowerCase(Locale.ROOT);
  }

  private DnsRecord soa(String owner) {
    byte[] mname = nameBytes(nameServer);
    byte[] rname = nameBytes(hostmaster);
    ByteBuf b = Unpooled.buffer(mname.length + rname.length + 20);
    b.writeBytes(mname).writeBytes(rname);
    b.writeInt(1); // serial: answers are computed, there is no zone file to version
    b.writeInt(3600); // refresh
    b.writeInt(600); // retry
    b.writeInt(86400); // expire
    b.writeInt((int) ttl); // minimum: the negative-caching TTL (RFC 2308 section 4)
    return new DefaultDnsRawRecord(owner, DnsRecordType.SOA, ttl, b);
  }

  private DnsRecord raw(String owner, DnsRecordType type, byte[] data) {
    return new DefaultDnsRawRecord(owner, type, ttl, Unpooled.wrappedBuffer(data));
  }

  /** A name in wire form, uncompressed (RFC 1035 section 3.1). */
  static byte[] nameBytes(String name) {
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    ByteBuf b = Unpooled.buffer(n.length() + 2);
    if (!n.isEmpty()) {
      for (String label : n.split("\\.", -1)) {
        byte[] l = label.getBytes(StandardCharsets.US_ASCII);
        b.writeByte(l.length).writeBytes(l);
      }
    }
    b.writeByte(0);
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    b.release();
    return out;
  }

  /** The encoded size of {@code response}: names are written uncompressed by Netty's encoder. */
  static int size(DnsResponse response) {
    int size = 12;
    for (DnsSection s : new DnsSection[] {DnsSection.QUESTION, DnsSection.ANSWER, DnsSection.AUTHORITY, DnsSection.ADDITIONAL}) {
      for (int i = 0; i < response.count(s); i++) {
        DnsRecord r = response.recordAt(s, i);
        size += nameBytes(r.name()).length + 4;
        if (s != DnsSection.QUESTION) {
          size += 6 + ((DefaultDnsRawRecord) r).content().readableBytes();
        }
      }
    }
    return size;
  }

  private static void release(List<DnsRecord> records) {
    for (DnsRecord r : records) {
      ((DefaultDnsRawRecord) r).release();
    }
  }
}
