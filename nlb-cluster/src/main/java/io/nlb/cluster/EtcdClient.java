package io.nlb.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nlb.common.Problems;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A small client of etcd v3 (3.4 or later) through its JSON gateway: the {@code /v3/kv/*},
 * {@code /v3/lease/*} and {@code /v3/watch} endpoints that every etcd server serves on its client
 * port, spoken with the JDK's {@link HttpClient} over HTTP/1.1. Keys are UTF-8 strings; values are
 * bytes (the gateway carries both in base64).
 *
 * <p>Only what the cluster needs: reads of a key or a prefix, puts (optionally under a lease), a
 * compare-and-swap on a key's {@code mod_revision}, deletes, leases (grant, one keep-alive,
 * revoke) and a watch of a prefix. Each call blocks for at most the request timeout; a server that
 * cannot be reached or answers with an error becomes an {@link EtcdException}. With several
 * endpoints, a call tries the one that answered last and then the others in order.
 *
 * <p>Thread-safe: calls may come from any thread.
 *
 * <pre>{@code
 * try (EtcdClient etcd = EtcdClient.create(List.of(URI.create("http://127.0.0.1:2379")), Duration.ofSeconds(2))) {
 *   etcd.put("/nlb/demo", "hello".getBytes(UTF_8), 0);
 *   Optional<EtcdClient.KeyValue> kv = etcd.get("/nlb/demo");
 * }
 * }</pre>
 *
 * @since 0.1
 */
public final class EtcdClient implements AutoCloseable {
  /**
   * One key and its value as etcd stores it.
   *
   * @param key the key
   * @param value the value's bytes
   * @param createRevision the revision that created the key
   * @param modRevision the revision of the last change of the key: what a compare-and-swap compares
   * @param version how many times the key was written since its creation
   * @param lease the lease the key is attached to, 0 for none
   */
  public record KeyValue(String key, byte[] value, long createRevision, long modRevision, long version, long lease) {
    /** {@return the value as UTF-8 text} */
    public String text() {
      return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof KeyValue kv && kv.key.equals(key) && Arrays.equals(kv.value, value) && kv.modRevision == modRevision
          && kv.createRevision == createRevision && kv.version == version && kv.lease == lease;
    }

    @Override
    public int hashCode() {
      return key.hashCode() * 31 + Long.hashCode(modRevision);
    }

    @Override
    public String toString() {
      return key + "@" + modRevision + " (" + value.length + " bytes)";
    }
  }

  /**
   * The answer of a read.
   *
   * @param revision the store's revision when it answered; a watch from {@code revision + 1} misses nothing
   * @param kvs the keys found, in key order
   */
  public record Range(long revision, List<KeyValue> kvs) {
    /**
     * Copies {@code kvs}.
     *
     * @param revision the store's revision
     * @param kvs the keys found; copied
     */
    public Range {
      kvs = List.copyOf(kvs);
    }
  }

  /**
   * The answer of {@link #compareAndPut}.
   *
   * @param succeeded whether the key still had the expected {@code mod_revision}, so that the put happened
   * @param revision the store's revision after the transaction
   * @param current when it failed: the key as it is now, or {@code null} when it does not exist
   */
  public record TxnResult(boolean succeeded, long revision, @Nullable KeyValue current) {}

  /**
   * One change a watch saw: a put (with the new value) or a delete (the value is empty).
   *
   * @param delete whether the key was deleted
   * @param kv the key, with its new value and revisions
   */
  public record WatchEvent(boolean delete, KeyValue kv) {}

  /**
   * Receives what a {@link #watch} sees, on a thread of the HTTP client: hand work to another
   * executor rather than blocking.
   */
  public interface WatchListener {
    /**
     * The changes of one revision or a batch of revisions, in order.
     *
     * @param revision the store's revision at the time of the batch
     * @param events the changes
     */
    void onEvents(long revision, List<WatchEvent> events);

    /**
     * The watch ended: the server went away, refused the watch (for example its start revision was
     * compacted), or {@link Watch#close()} was called. Called once; no events follow.
     *
     * @param cause why, or {@code null} after {@link Watch#close()}
     */
    void onClosed(@Nullable Throwable cause);
  }

  /** A running watch; {@link #close()} ends it. Thread-safe. */
  public interface Watch extends AutoCloseable {
    /** Ends the watch; the listener's {@link WatchListener#onClosed} is called with {@code null}. Idempotent. */
    @Override
    void close();
  }

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final List<URI> endpoints;
  private final Duration timeout;
  private final HttpClient http;
  private volatile int preferred;
  private final java.util.Set<EtcdWatchStream> watches = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private EtcdClient(List<URI> endpoints, Duration timeout) {
    this.endpoints = List.copyOf(endpoints);
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
  }

  /**
   * A client of the etcd cluster reached at {@code endpoints}.
   *
   * @param endpoints the client URLs of the etcd members, such as {@code http://10.0.0.5:2379}; at least one
   * @param requestTimeout how long one call may take before it fails, 1 ms to 5 minutes
   * @return the client; it opens connections lazily
   * @throws IllegalArgumentException naming the bad endpoint or timeout
   */
  public static EtcdClient create(List<URI> endpoints, Duration requestTimeout) {
    if (endpoints.isEmpty()) {
      throw Problems.invalid("endpoints", endpoints, "at least one etcd client URL such as http://127.0.0.1:2379");
    }
    for (int i = 0; i < endpoints.size(); i++) {
      URI u = endpoints.get(i);
      if (!"http".equals(u.getScheme()) || u.getHost() == null) {
        throw Problems.invalid("endpoints[" + i + "]", u.toString(), "an http URL with a host, such as http://127.0.0.1:2379");
      }
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero() || requestTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
      throw Problems.invalid("requestTimeout", requestTimeout, "1 ms to 5 minutes");
    }
    return new EtcdClient(endpoints, requestTimeout);
  }

  /** {@return the endpoints, in the order given} */
  public List<URI> endpoints() {
    return endpoints;
  }

  /**
   * Reads one key.
   *
   * @param key the key
   * @return the key, or empty when it does not exist
   * @throws EtcdException when no endpoint answers or etcd refuses
   */
  public Optional<KeyValue> get(String key) {
    Range r = range(key, null);
    return r.kvs().isEmpty() ? Optional.empty() : Optional.of(r.kvs().get(0));
  }

  /**
   * Reads one key with the store's revision.
   *
   * @param key the key
   * @return the revision and the key (none when it does not exist)
   * @throws EtcdException when no endpoint answers or etcd refuses
   */
  public Range getWithRevision(String key) {
    return range(key, null);
  }

  /**
   * Reads every key that starts with {@code prefix}.
   *
   * @param prefix the prefix, not empty
   * @return the revision and the keys, in key order
   * @throws EtcdException when no endpoint answers or etcd refuses
   */
  public Range getPrefix(String prefix) {
    return range(prefix, prefixEnd(prefix));
  }

  private Range range(String key, byte @Nullable [] rangeEnd) {
    ObjectNode req = JSON.createObjectNode();
    req.put("key", b64(key));
    if (rangeEnd != null) {
      req.put("range_end", B64.encodeToString(rangeEnd));
    }
    JsonNode res = call("/v3/kv/range", req);
    return new Range(revision(res), kvs(res.path("kvs")));
  }

  /**
   * Writes a key.
   *
   * @param key the key
   * @param value the value
   * @param lease the lease to attach the key to (the key goes when the lease expires), 0 for none
   * @return the store's revision after the write
   * @throws EtcdException when no endpoint answers or etcd refuses (for example an unknown lease)
   */
  public long put(String key, byte[] value, long lease) {
    ObjectNode req = JSON.createObjectNode();
    req.put("key", b64(key));
    req.put("value", B64.encodeToString(value));
    if (lease != 0) {
      req.put("lease", Long.toString(lease));
    }
    return revision(call("/v3/kv/put", req));
  }

  /**
   * Writes {@code key} only if its {@code mod_revision} is still {@code expectedModRevision}: one
   * etcd transaction, so two writers that read the same revision cannot both succeed.
   *
   * @param key the key
   * @param expectedModRevision the revision the caller read; 0 means "the key must not exist"
   * @param value the new value
   * @return whether it was written; if not, the key as it is now
   * @throws EtcdException when no endpoint answers or etcd refuses
   */
  public TxnResult compareAndPut(String key, long expectedModRevision, byte[] value) {
    ObjectNode req = JSON.createObjectNode();
    ObjectNode cmp = req.putArray("compare").addObject();
    cmp.put("key", b64(key));
    cmp.put("target", "MOD");
    cmp.put("result", "EQUAL");
    cmp.put("mod_revision", Long.toString(expectedModRevision));
    ObjectNode put = req.putArray("success").addObject().putObject("request_put");
    put.put("key", b64(key));
    put.put("value", B64.encodeToString(value));
    req.putArray("failure").addObject().putObject("request_range").put("key", b64(key));
    JsonNode res = call("/v3/kv/txn", req);
    boolean ok = res.path("succeeded").asBoolean(false);
    KeyValue current = null;
    if (!ok) {
      List<KeyValue> now = kvs(res.path("responses").path(0).path("response_range").path("kvs"));
      current = now.isEmpty() ? null : now.get(0);
    }
    return new TxnResult(ok, revision(res), current);
  }

  /**
   * Deletes a key.
   *
   * @param key the key
   * @return how many keys were deleted (0 or 1)
   * @throws EtcdException when no endpoint answers or etcd refuses
   */
  public long delete(String key) {
    ObjectNode req = JSON.createObjectNode();
    req.put("key", b64(key));
    return call("/v3/kv/deleterange", req).path("deleted").asLong(0);
  }

  /**
   * Grants a lease.
   *
   * @param ttl how long the lease lives without a keep-alive; etcd rounds up to whole seconds and
   *     to its own minimum (about 1.5 election timeouts)
   * @return the lease's id
   * @throws EtcdException when no endpoint answers or etcd refuses
   */
  public long grantLease(Duration ttl) {
    ObjectNode req = JSON.createObjectNode();
    req.put("TTL", Long.toString(Math.max(1, (ttl.toMillis() + 999) / 1000)));
    JsonNode res = call("/v3/lease/grant", req);
    String error = res.path("error").asText("");
    if (!error.isEmpty()) {
      throw new EtcdException("lease grant refused: " + error);
    }
    return res.path("ID").asLong();
  }

  /**
   * Renews a lease once.
   *
   * @param lease the lease's id
   * @return the seconds the lease now has to live; 0 when it has expired or never existed (its keys are gone)
   * @throws EtcdException when no endpoint answers or etcd refuses
   */
  public long keepAlive(long lease) {
    ObjectNode req = JSON.createObjectNode();
    req.put("ID", Long.toString(lease));
    JsonNode res = call("/v3/lease/keepalive", req);
    // The gateway streams keep-alive answers: one JSON object, wrapped in "result".
    return res.path("result").path("TTL").asLong(res.path("TTL").asLong(0));
  }

  /**
   * Revokes a lease: its keys are deleted at once.
   *
   * @param lease the lease's id
   * @throws EtcdException when no endpoint answers or etcd refuses (an unknown lease is not an error)
   */
  public void revokeLease(long lease) {
    ObjectNode req = JSON.createObjectNode();
    req.put("ID", Long.toString(lease));
    try {
      call("/v3/lease/revoke", req);
    } catch (EtcdException e) {
      if (!String.valueOf(e.getMessage()).contains("lease not found")) {
        throw e;
      }
    }
  }

  /**
   * Watches every key under {@code prefix} from {@code startRevision} on, on one streaming HTTP
   * request. The listener gets the changes in revision order; when the stream ends for any reason
   * it gets {@link WatchListener#onClosed} once, and the caller decides whether to watch again
   * (from the last revision it saw plus one).
   *
   * @param prefix the prefix, not empty
   * @param startRevision the first revision to report, 0 for "from now"
   * @param listener receives events on the HTTP client's threads
   * @return the watch, to close
   * @throws EtcdException when no endpoint accepts the watch
   */
  public Watch watch(String prefix, long startRevision, WatchListener listener) {
    ObjectNode create = JSON.createObjectNode();
    ObjectNode body = create.putObject("create_request");
    body.put("key", b64(prefix));
    body.put("range_end", B64.encodeToString(prefixEnd(prefix)));
    if (startRevision > 0) {
      body.put("start_revision", Long.toString(startRevision));
    }
    EtcdWatchStream stream = new EtcdWatchStream(listener, watches);
    watches.add(stream);
    URI base = endpoints.get(preferred);
    HttpRequest req = HttpRequest.newBuilder(base.resolve("/v3/watch")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(create.toString())).build();
    http.sendAsync(req, HttpResponse.BodyHandlers.fromLineSubscriber(stream)).whenComplete((res, err) -> {
      if (err != null) {
        stream.end(new EtcdException("watch " + prefix + " at " + base + ": " + err, err));
      } else if (res.statusCode() != 200) {
        stream.end(new EtcdException("watch " + prefix + " at " + base + ": HTTP " + res.statusCode()));
      } else {
        stream.end(new EtcdException("watch " + prefix + " at " + base + ": the stream ended"));
      }
    });
    return stream;
  }

  private JsonNode call(String path, ObjectNode body) {
    String text = body.toString();
    EtcdException last = null;
    int first = preferred;
    for (int i = 0; i < endpoints.size(); i++) {
      int index = (first + i) % endpoints.size();
      URI base = endpoints.get(index);
      HttpRequest req = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(text)).build();
      HttpResponse<String> res;
      try {
        res = http.send(req, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        last = new EtcdException(path + " at " + base + ": " + e, e);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EtcdException(path + " at " + base + ": interrupted", e);
      }
      JsonNode root;
      try {
        root = JSON.readTree(res.body());
      } catch (IOException e) {
        throw new EtcdException(path + " at " + base + ": HTTP " + res.statusCode() + ", not JSON: " + abbreviate(res.body()), e);
      }
      if (res.statusCode() != 200 || root.has("error") && root.path("error").isTextual() && root.has("code")) {
        String message = root.path("message").asText(root.path("error").asText(""));
        if (res.statusCode() >= 500 && isUnavailable(message)) {
          last = new EtcdException(path + " at " + base + ": " + message);
          continue;
        }
        throw new EtcdException(path + " at " + base + ": HTTP " + res.statusCode() + ": " + message);
      }
      preferred = index;
      return root;
    }
    throw last == null ? new EtcdException(path + ": no endpoint") : last;
  }

  private static boolean isUnavailable(String message) {
    return message.contains("no leader") || message.contains("timed out") || message.contains("unavailable")
        || message.contains("stopped");
  }

  static long revision(JsonNode res) {
    return res.path("header").path("revision").asLong(0);
  }

  private static List<KeyValue> kvs(JsonNode array) {
    if (!(array instanceof ArrayNode a)) {
      return List.of();
    }
    List<KeyValue> out = new ArrayList<>(a.size());
    for (JsonNode n : a) {
      out.add(kv(n));
    }
    return out;
  }

  static KeyValue kv(JsonNode n) {
    return new KeyValue(new String(B64D.decode(n.path("key").asText("")), StandardCharsets.UTF_8), B64D.decode(n.path("value").asText("")),
        n.path("create_revision").asLong(0), n.path("mod_revision").asLong(0), n.path("version").asLong(0), n.path("lease").asLong(0));
  }

  private static String b64(String key) {
    return B64.encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The smallest key greater than every key that starts with {@code prefix}: etcd's range end for a prefix. */
  static byte[] prefixEnd(String prefix) {
    byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    return new byte[] {0};
  }

  static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  /** Ends every watch still open; later calls still work (the JDK 17 client has nothing else to close). */
  @Override
  public void close() {
    for (EtcdWatchStream w : List.copyOf(watches)) {
      w.close();
    }
  }
}
