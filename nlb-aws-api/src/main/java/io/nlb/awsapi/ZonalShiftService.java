package io.nlb.awsapi;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.nlb.core.LoadBalancer;
import io.nlb.core.ZonalShift;
import io.nlb.core.Zone;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The ARC zonal shift API (service {@code arc-zonal-shift}, version 2022-10-30, REST-JSON) over
 * the library's {@link LoadBalancer#startZonalShift}: {@code StartZonalShift}, {@code
 * UpdateZonalShift}, {@code CancelZonalShift}, {@code ListZonalShifts}, {@code
 * GetManagedResource} and {@code ListManagedResources}. The managed resources are the load
 * balancers the endpoint lists (the API's and the configuration's alike: a shift is an operation,
 * not configuration), each named by its ARN; {@code awayFrom} is a zone name as {@code
 * DescribeLoadBalancers} gives it.
 *
 * <p>The library keeps one shift per load balancer and no history, so this service gives each
 * shift its id and remembers it (the newest 1,000 that ended), deriving the status from the
 * library: {@code ACTIVE} while the load balancer's shift is this one, {@code CANCELED} after
 * {@code CancelZonalShift}, {@code EXPIRED} otherwise. A shift started through the library
 * directly is adopted with an id of its own when it is first seen. Shifts are not written to the
 * state file: after a restart none is active.
 *
 * <p>Not thread-safe: every call runs on the endpoint's one operations thread.
 */
final class ZonalShiftService {
  static final String SERVICE = "arc-zonal-shift";
  private static final Pattern SHIFT_ID = Pattern.compile("[A-Za-z0-9-]{6,36}");
  private static final int MAX_ENDED = 1000;

  /** A refusal in the REST-JSON error shape: the type travels in {@code x-amzn-ErrorType}. */
  static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String type;
    final int status;
    final transient Map<String, Object> fields;

    Refusal(String type, int status, String message, Map<String, Object> fields) {
      super(message, null, false, false);
      this.type = type;
      this.status = status;
      this.fields = fields;
    }
  }

  static Refusal validation(String reason, String message) {
    return new Refusal("ValidationException", 400, message, Map.of("reason", reason));
  }

  private static Refusal notFound(String message) {
    return new Refusal("ResourceNotFoundException", 404, message, Map.of());
  }

  private static Refusal conflict(String reason, String message, @Nullable String shiftId) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("reason", reason);
    if (shiftId != null) {
      f.put("zonalShiftId", shiftId);
    }
    return new Refusal("ConflictException", 409, message, f);
  }

  /**
   * A shift this service knows: its id and what it was started with; times from the library, or
   * with a shared state from the record (whose {@code lb} is then the one the resource names now).
   */
  private static final class Shift {
    final String id;
    final String resource;
    final @Nullable LoadBalancer lb;
    final String zone;
    final Instant start;
    Instant expiry;
    String comment;
    boolean canceled;

    Shift(String id, String resource, @Nullable LoadBalancer lb, String zone, Instant start, Instant expiry, String comment) {
      this.id = id;
      this.resource = resource;
      this.lb = lb;
      this.zone = zone;
      this.start = start;
      this.expiry = expiry;
      this.comment = comment;
    }

    Shift(String id, String resource, LoadBalancer lb, ZonalShift z) {
      this(id, resource, lb, z.zone(), z.startTime(), z.expiryTime(), z.comment());
    }
  }

  private final ElbV2Service elb;
  private final Clock clock;
  private final RandomGenerator random;
  private final Map<String, Shift> shifts = new LinkedHashMap<>();
  /**
   * With a shared state, shifts are records of it ({@link SharedShifts}): their status comes from
   * the record and the clock, and a change writes records instead of calling the library (every
   * process applies them to its own load balancers).
   */
  private final boolean shared;
  private volatile @Nullable List<StateFile.Entry> sharedRecords;
  private @Nullable List<StateFile.Entry> loaded;

  ZonalShiftService(ElbV2Service elb, Clock clock, RandomGenerator random) {
    this(elb, clock, random, false);
  }

  ZonalShiftService(ElbV2Service elb, Clock clock, RandomGenerator random, boolean shared) {
    this.elb = elb;
    this.clock = clock;
    this.random = random;
    this.shared = shared;
  }

  /** With a shared state: the shift records this process runs now (any thread). */
  void runs(List<StateFile.Entry> records) {
    sharedRecords = List.copyOf(records);
  }

  /** With a shared state: the shifts as records, in order. */
  List<StateFile.Entry> records() {
    return SharedShifts.records(shifts.values().stream()
        .map(x -> new SharedShifts.Record(x.id, x.resource, x.zone, x.start, x.expiry, x.comment, x.canceled)).toList());
  }

  private void load(Map<String, LoadBalancer> lbs) {
    List<StateFile.Entry> r = sharedRecords;
    if (r == null || r == loaded) {
      return;
    }
    loaded = r;
    shifts.clear();
    for (SharedShifts.Record x : SharedShifts.parse(r)) {
      Shift s = new Shift(x.id(), x.resource(), lbs.get(x.resource()), x.zone(), x.start(), x.expiry(), x.comment());
      s.canceled = x.canceled();
      shifts.put(s.id, s);
    }
  }

  /** Whether a request path is one of this API's ({@code /zonalshifts...}, {@code /managedresources...}). */
  static boolean handles(String rawPath) {
    return rawPath.equals("/zonalshifts") || rawPath.startsWith("/zonalshifts/") || rawPath.equals("/managedresources")
        || rawPath.startsWith("/managedresources/");
  }

  /**
   * Runs one request and returns its status and JSON body.
   *
   * @throws Refusal for every refusal, in the API's error shapes
   */
  Answer handle(String method, String rawPath, String rawQuery, byte[] body) {
    Map<String, String> query = ZonalShiftInput.query(rawQuery);
    Map<String, LoadBalancer> lbs = elb.loadBalancersByArn();
    if (shared) {
      load(lbs);
    } else {
      adopt(lbs);
    }
    String[] parts = rawPath.substring(1).split("/", -1);
    String collection = parts[0];
    if (parts.length > 2 || (parts.length == 2 && parts[1].isEmpty())) {
      throw new Refusal("UnknownOperationException", 404, "path: " + rawPath + " (expected: /" + collection + " or /"
          + collection + "/<id>)", Map.of());
    }
    @Nullable String id = parts.length == 2 ? QueryStringDecoder.decodeComponent(parts[1], StandardCharsets.UTF_8) : null;
    if (collection.equals("zonalshifts")) {
      if (id == null && method.equals("POST")) {
        return new Answer(201, start(ZonalShiftInput.json(body), lbs));
      }
      if (id == null && method.equals("GET")) {
        return new Answer(200, list(query, lbs));
      }
      if (id != null && method.equals("PATCH")) {
        return new Answer(200, update(shift(id), ZonalShiftInput.json(body), lbs));
      }
      if (id != null && method.equals("DELETE")) {
        return new Answer(200, cancel(shift(id), lbs));
      }
    } else {
      if (id == null && method.equals("GET")) {
        return new Answer(200, listResources(query, lbs));
      }
      if (id != null && method.equals("GET")) {
        return new Answer(200, resource(id, lbs));
      }
    }
    throw new Refusal("UnknownOperationException", 404, method + " " + rawPath + " (expected: POST or GET /zonalshifts,"
        + " PATCH or DELETE /zonalshifts/<id>, GET /managedresources[/<arn>])", Map.of());
  }

  /** A successful answer: its HTTP status and JSON body. */
  record Answer(int status, Map<String, Object> body) {}

  // ------------------------------------------------------------------ operations

  private Map<String, Object> start(Map<String, Object> in, Map<String, LoadBalancer> lbs) {
    String resource = ZonalShiftInput.required(in, "resourceIdentifier");
    String awayFrom = ZonalShiftInput.required(in, "awayFrom");
    String expiresIn = ZonalShiftInput.required(in, "expiresIn");
    String comment = ZonalShiftInput.required(in, "comment");
    ZonalShiftInput.checkComment(comment);
    Duration duration = ZonalShiftInput.expiresIn(expiresIn);
    LoadBalancer lb = loadBalancer(resource, lbs);
    if (lb.zones().stream().noneMatch(z -> z.name().equals(awayFrom))) {
      throw validation("InvalidAz", "awayFrom: " + awayFrom + " (expected: a zone of the resource: " + zoneNames(lb) + ")");
    }
    Shift active = active(lb, lbs);
    if (active != null) {
      throw conflict("ZonalShiftAlreadyExists", "resourceIdentifier: " + resource + " has an active zonal shift away from "
          + active.zone + " (expected: no active shift; update or cancel " + active.id + ")", active.id);
    }
    ZonalShift z = ZonalShiftInput.library(() -> lb.startZonalShift(awayFrom, duration, comment));
    String id = new UUID(random.nextLong(), random.nextLong()).toString();
    // Shared: the library call above only checked the shift (on a scratch load balancer); the
    // record's times are the clock's, which every process applies.
    Instant now = clock.instant();
    Shift s = shared ? new Shift(id, resource, lb, awayFrom, now, now.plus(duration), comment) : new Shift(id, resource, lb, z);
    shifts.put(s.id, s);
    trim();
    return summary(s, lbs);
  }

  private Map<String, Object> update(Shift s, Map<String, Object> in, Map<String, LoadBalancer> lbs) {
    @Nullable String comment = ZonalShiftInput.optional(in, "comment");
    @Nullable String expiresIn = ZonalShiftInput.optional(in, "expiresIn");
    if (comment == null && expiresIn == null) {
      throw validation("MissingValue", "comment, expiresIn: (both absent) (expected: a new comment, a new expiresIn, or both)");
    }
    if (comment != null) {
      ZonalShiftInput.checkComment(comment);
    }
    Duration duration;
    if (expiresIn != null) {
      duration = ZonalShiftInput.expiresIn(expiresIn);
    } else {
      // The library takes a duration from now; keep the expiry (at least the library's minute).
      Duration left = Duration.between(clock.instant(), s.expiry);
      duration = left.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : left.withNanos(0);
    }
    requireActive(s, lbs);
    String text = comment != null ? comment : s.comment;
    if (shared) {
      s.expiry = clock.instant().plus(duration);
      s.comment = text;
      return summary(s, lbs);
    }
    ZonalShift z = ZonalShiftInput.library(() -> liveLb(s).updateZonalShift(duration, text));
    s.expiry = z.expiryTime();
    s.comment = z.comment();
    return summary(s, lbs);
  }

  private Map<String, Object> cancel(Shift s, Map<String, LoadBalancer> lbs) {
    requireActive(s, lbs);
    if (!shared) {
      ZonalShiftInput.library(() -> {
        liveLb(s).cancelZonalShift();
        return s;
      });
    }
    s.canceled = true;
    return summary(s, lbs);
  }

  private Map<String, Object> list(Map<String, String> query, Map<String, LoadBalancer> lbs) {
    @Nullable String status = query.get("status");
    if (status != null && !List.of("ACTIVE", "EXPIRED", "CANCELED").contains(status)) {
      throw validation("InvalidStatus", "status: " + status + " (expected: ACTIVE, EXPIRED or CANCELED)");
    }
    List<Object> all = new ArrayList<>();
    for (Shift s : shifts.values()) {
      if (status == null || status(s, lbs).equals(status)) {
        all.add(summary(s, lbs));
      }
    }
    return ZonalShiftInput.page(all, query);
  }

  private Map<String, Object> listResources(Map<String, String> query, Map<String, LoadBalancer> lbs) {
    List<Object> all = new ArrayList<>();
    lbs.forEach((arn, lb) -> {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("arn", arn);
      r.put("availabilityZones", zoneNames(lb));
      r.put("name", lb.name());
      all.add(r);
    });
    return ZonalShiftInput.page(all, query);
  }

  private Map<String, Object> resource(String arn, Map<String, LoadBalancer> lbs) {
    LoadBalancer lb = loadBalancer(arn, lbs);
    Shift active = active(lb, lbs);
    Map<String, Object> weights = new LinkedHashMap<>();
    for (Zone z : lb.zones()) {
      weights.put(z.name(), active != null && active.zone.equals(z.name()) ? 0.0 : 1.0);
    }
    List<Object> inResource = new ArrayList<>();
    if (active != null) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("appliedStatus", "APPLIED");
      m.putAll(summary(active, lbs));
      m.remove("status");
      inResource.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("appliedWeights", weights);
    out.put("arn", arn);
    out.put("name", lb.name());
    out.put("zonalShifts", inResource);
    return out;
  }

  // ------------------------------------------------------------------ bookkeeping

  /** Records shifts started through the library directly, and follows changes made there. */
  private void adopt(Map<String, LoadBalancer> lbs) {
    lbs.forEach((arn, lb) -> {
      Optional<ZonalShift> current = lb.zonalShift();
      if (current.isEmpty()) {
        return;
      }
      ZonalShift z = current.get();
      for (Shift s : shifts.values()) {
        if (s.lb == lb && !s.canceled && s.start.equals(z.startTime()) && s.zone.equals(z.zone())) {
          s.expiry = z.expiryTime();
          s.comment = z.comment();
          return;
        }
      }
      Shift s = new Shift(new UUID(random.nextLong(), random.nextLong()).toString(), arn, lb, z);
      shifts.put(s.id, s);
    });
    trim();
  }

  private void trim() {
    int ended = shifts.size() - MAX_ENDED;
    Iterator<Shift> it = shifts.values().iterator();
    while (ended > 0 && it.hasNext()) {
      Shift s = it.next();
      if (s.canceled || s.lb == null || (shared ? !s.expiry.isAfter(clock.instant())
          : s.lb.zonalShift().map(z -> !z.startTime().equals(s.start)).orElse(true))) {
        it.remove();
        ended--;
      }
    }
  }

  private String status(Shift s, Map<String, LoadBalancer> lbs) {
    if (s.canceled) {
      return "CANCELED";
    }
    LoadBalancer lb = s.lb;
    if (lb == null || lbs.get(s.resource) != lb) {
      return "EXPIRED";
    }
    if (shared) {
      return s.expiry.isAfter(clock.instant()) ? "ACTIVE" : "EXPIRED";
    }
    Optional<ZonalShift> z = lb.zonalShift();
    return z.isPresent() && z.get().startTime().equals(s.start) && z.get().zone().equals(s.zone) ? "ACTIVE" : "EXPIRED";
  }

  private @Nullable Shift active(LoadBalancer lb, Map<String, LoadBalancer> lbs) {
    for (Shift s : shifts.values()) {
      if (s.lb == lb && status(s, lbs).equals("ACTIVE")) {
        return s;
      }
    }
    return null;
  }

  private static LoadBalancer liveLb(Shift s) {
    LoadBalancer lb = s.lb;
    if (lb == null) {
      throw new IllegalStateException("zonal shift " + s.id + ": no load balancer");
    }
    return lb;
  }

  private void requireActive(Shift s, Map<String, LoadBalancer> lbs) {
    String status = status(s, lbs);
    if (!status.equals("ACTIVE")) {
      throw conflict("ZonalShiftStatusNotActive", "zonalShiftId: " + s.id + " is " + status + " (expected: an ACTIVE zonal shift)",
          s.id);
    }
  }

  private Shift shift(String id) {
    if (!SHIFT_ID.matcher(id).matches()) {
      throw new Refusal("ValidationException", 400, "zonalShiftId: " + id + " (expected: 6-36 letters, digits or '-')", Map.of());
    }
    Shift s = shifts.get(id);
    if (s == null) {
      throw notFound("zonalShiftId: " + id + " (expected: the id of a zonal shift of this endpoint)");
    }
    return s;
  }

  private LoadBalancer loadBalancer(String resource, Map<String, LoadBalancer> lbs) {
    try {
      Arns.check("resourceIdentifier", resource, Arns.Kind.LOAD_BALANCER);
    } catch (ApiException e) {
      throw validation("InvalidResourceIdentifier", String.valueOf(e.getMessage()));
    }
    LoadBalancer lb = lbs.get(resource);
    if (lb == null) {
      throw notFound("resourceIdentifier: " + resource + " (expected: the ARN of a load balancer of this endpoint)");
    }
    return lb;
  }

  private Map<String, Object> summary(Shift s, Map<String, LoadBalancer> lbs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("awayFrom", s.zone);
    m.put("comment", s.comment);
    m.put("expiryTime", seconds(s.expiry));
    m.put("resourceIdentifier", s.resource);
    m.put("startTime", seconds(s.start));
    m.put("status", status(s, lbs));
    m.put("zonalShiftId", s.id);
    return m;
  }

  /** A REST-JSON timestamp: epoch seconds, milliseconds as the fraction. */
  private static BigDecimal seconds(Instant t) {
    return BigDecimal.valueOf(t.toEpochMilli(), 3);
  }

  private static List<String> zoneNames(LoadBalancer lb) {
    List<String> out = new ArrayList<>();
    lb.zones().forEach(z -> out.add(z.name()));
    return out;
  }
}
