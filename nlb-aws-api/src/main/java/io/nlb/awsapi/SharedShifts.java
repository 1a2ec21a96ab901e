package io.nlb.awsapi;

import io.nlb.core.LoadBalancer;
import io.nlb.core.Nlb;
import io.nlb.core.NlbException;
import io.nlb.core.ZonalShift;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zonal shifts as records of a shared state (kind {@code zonalShift}, beside the elbv2 records):
 * what {@link ZonalShiftService} writes instead of calling the library, and how a process makes
 * its own load balancers follow them ({@link #apply}). A record is active while it is not
 * canceled and its expiry is ahead; its load balancer is the one its ARN names.
 *
 * <p>Stateless; safe on any thread.
 */
final class SharedShifts {
  private static final Logger log = LoggerFactory.getLogger(SharedShifts.class);
  static final String KIND = "zonalShift";
  /** The library's shortest shift: what a record with less time left is applied as. */
  private static final Duration MIN_SHIFT = Duration.ofMinutes(1);

  private SharedShifts() {}

  /** One shift as the shared state holds it. */
  record Record(String id, String resource, String zone, Instant start, Instant expiry, String comment, boolean canceled) {}

  /** The shift records among {@code entries}, in order. */
  static List<Record> parse(List<StateFile.Entry> entries) {
    List<Record> out = new ArrayList<>();
    for (StateFile.Entry e : entries) {
      if (e.kind().equals(KIND)) {
        out.add(new Record(e.get("id"), e.get("resource"), e.get("zone"), Instant.ofEpochMilli(Long.parseLong(e.get("start"))),
            Instant.ofEpochMilli(Long.parseLong(e.get("expiry"))), e.get("comment"), Boolean.parseBoolean(e.get("canceled"))));
      }
    }
    return out;
  }

  /** The records as state entries. */
  static List<StateFile.Entry> records(List<Record> shifts) {
    List<StateFile.Entry> out = new ArrayList<>();
    for (Record r : shifts) {
      Map<String, String> f = new LinkedHashMap<>();
      f.put("id", r.id());
      f.put("resource", r.resource());
      f.put("zone", r.zone());
      f.put("start", Long.toString(r.start().toEpochMilli()));
      f.put("expiry", Long.toString(r.expiry().toEpochMilli()));
      f.put("comment", r.comment());
      f.put("canceled", Boolean.toString(r.canceled()));
      out.add(new StateFile.Entry(KIND, f));
    }
    return out;
  }

  /** {@code entries} without the shift records. */
  static List<StateFile.Entry> withoutShifts(List<StateFile.Entry> entries) {
    return entries.stream().filter(e -> !e.kind().equals(KIND)).toList();
  }

  /**
   * Makes each load balancer of {@code nlb} run the shift its active record asks for (started,
   * updated or canceled through the library), and none where no record is active. A load balancer
   * that refuses (for example one that turned cross-zone on since) is logged and left as it is.
   */
  static void apply(Nlb nlb, List<Record> records, Instant now) {
    Map<String, Record> active = new LinkedHashMap<>();
    for (Record r : records) {
      String name = Arns.loadBalancerName(r.resource());
      if (name != null && !r.canceled() && r.expiry().isAfter(now)) {
        active.put(name, r);
      }
    }
    for (LoadBalancer lb : nlb.loadBalancers()) {
      Record want = active.get(lb.name());
      Optional<ZonalShift> has = lb.zonalShift();
      try {
        if (want == null) {
          if (has.isPresent()) {
            lb.cancelZonalShift();
          }
          continue;
        }
        Duration left = Duration.between(now, want.expiry());
        left = left.compareTo(MIN_SHIFT) < 0 ? MIN_SHIFT : left.plusMillis(999).withNanos(0);
        if (has.isPresent() && !has.get().zone().equals(want.zone())) {
          lb.cancelZonalShift();
          has = Optional.empty();
        }
        if (has.isEmpty()) {
          lb.startZonalShift(want.zone(), left, want.comment());
        } else if (!has.get().comment().equals(want.comment())
            || Duration.between(has.get().expiryTime(), want.expiry()).abs().compareTo(Duration.ofSeconds(1)) > 0) {
          lb.updateZonalShift(left, want.comment());
        }
      } catch (NlbException e) {
        log.warn("zonal shift {} on {}: not applied here: {}", want == null ? "(cancel)" : want.id(), lb.name(),
            String.join("; ", e.problems()));
      }
    }
  }
}
