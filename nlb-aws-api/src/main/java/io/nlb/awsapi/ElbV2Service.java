package io.nlb.awsapi;

import io.nlb.awsapi.ElbState.LbRec;
import io.nlb.awsapi.ElbState.TgRec;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Nlb;
import io.nlb.core.NlbConfig;
import io.nlb.core.NlbException;
import io.nlb.core.Quotas;
import io.nlb.tls.CipherSuite;
import io.nlb.tls.SecurityPolicy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The elbv2 operations over the public {@link Nlb} API, with the ARN bookkeeping the library
 * does not do: the endpoint gives every resource it creates an id of its own (kept across
 * restarts by the state file), so the ARNs a client holds stay valid.
 *
 * <p>This class dispatches by action; the actions live by resource ({@link TargetGroupActions},
 * {@link LoadBalancerActions}, {@link ListenerActions}, {@link TagActions}) over the records of
 * one {@link ElbState}, which {@link ElbPersistence} writes to and reads from the state file.
 *
 * <p>Not thread-safe: every call runs on the endpoint's one operations thread.
 */
final class ElbV2Service {
  static final String NAMESPACE = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
  static final String VERSION = "2015-12-01";

  /** One action: reads its parameters, changes what it changes, writes its result element's content. */
  private interface Op {
    void run(ElbState state, QueryParams p, Xml out);
  }

  final String region;
  final String accountId;
  private final ElbState state;
  private final ElbPersistence persistence;
  private final Map<String, Op> ops = new HashMap<>();
  private final Set<String> readOnly;

  final Map<String, TgRec> targetGroups;
  final Map<String, LbRec> loadBalancers;

  /** With a shared state: the API's records this process runs (set by any thread), and those the records show. */
  private volatile @Nullable List<StateFile.Entry> shared;
  private @Nullable List<StateFile.Entry> adopted;

  ElbV2Service(Nlb nlb, String region, String accountId, String dnsSuffix, Map<String, Subnet> subnets,
      CertificateStore certificates, Clock clock, RandomGenerator random) {
    this(region, accountId, new ElbState(nlb, new Arns(region, accountId), dnsSuffix, subnets, certificates, clock, random));
  }

  private ElbV2Service(String region, String accountId, ElbState state) {
    this.region = region;
    this.accountId = accountId;
    this.state = state;
    this.persistence = new ElbPersistence(state);
    this.targetGroups = state.targetGroups;
    this.loadBalancers = state.loadBalancers;
    ops.put("CreateTargetGroup", TargetGroupActions::createTargetGroup);
    ops.put("DescribeTargetGroups", TargetGroupActions::describeTargetGroups);
    ops.put("ModifyTargetGroup", TargetGroupActions::modifyTargetGroup);
    ops.put("DeleteTargetGroup", TargetGroupActions::deleteTargetGroup);
    ops.put("DescribeTargetGroupAttributes", TargetGroupActions::describeTargetGroupAttributes);
    ops.put("ModifyTargetGroupAttributes", TargetGroupActions::modifyTargetGroupAttributes);
    ops.put("RegisterTargets", TargetGroupActions::registerTargets);
    ops.put("DeregisterTargets", TargetGroupActions::deregisterTargets);
    ops.put("DescribeTargetHealth", TargetGroupActions::describeTargetHealth);
    ops.put("CreateLoadBalancer", LoadBalancerActions::createLoadBalancer);
    ops.put("DescribeLoadBalancers", LoadBalancerActions::describeLoadBalancers);
    ops.put("DeleteLoadBalancer", LoadBalancerActions::deleteLoadBalancer);
    ops.put("DescribeLoadBalancerAttributes", LoadBalancerActions::describeLoadBalancerAttributes);
    ops.put("ModifyLoadBalancerAttributes", LoadBalancerActions::modifyLoadBalancerAttributes);
    ops.put("SetSubnets", LoadBalancerActions::setSubnets);
    ops.put("SetIpAddressType", LoadBalancerActions::setIpAddressType);
    ops.put("SetSecurityGroups", LoadBalancerActions::setSecurityGroups);
    ops.put("CreateListener", ListenerActions::createListener);
    ops.put("DescribeListeners", ListenerActions::describeListeners);
    ops.put("ModifyListener", ListenerActions::modifyListener);
    ops.put("DeleteListener", ListenerActions::deleteListener);
    ops.put("DescribeListenerAttributes", ListenerActions::describeListenerAttributes);
    ops.put("ModifyListenerAttributes", ListenerActions::modifyListenerAttributes);
    ops.put("AddListenerCertificates", ListenerActions::addListenerCertificates);
    ops.put("RemoveListenerCertificates", ListenerActions::removeListenerCertificates);
    ops.put("DescribeListenerCertificates", ListenerActions::describeListenerCertificates);
    ops.put("AddTags", TagActions::addTags);
    ops.put("RemoveTags", TagActions::removeTags);
    ops.put("DescribeTags", TagActions::describeTags);
    ops.put("DescribeSSLPolicies", ElbV2Service::describeSslPolicies);
    ops.put("DescribeAccountLimits", ElbV2Service::describeAccountLimits);
    this.readOnly = Set.of("DescribeTargetGroups", "DescribeTargetGroupAttributes", "DescribeTargetHealth",
        "DescribeLoadBalancers", "DescribeLoadBalancerAttributes", "DescribeListeners", "DescribeListenerAttributes",
        "DescribeListenerCertificates", "DescribeTags", "DescribeSSLPolicies", "DescribeAccountLimits");
  }

  boolean knows(String action) {
    return ops.containsKey(action);
  }

  /** Whether the action changes nothing (no state write after it). */
  boolean isReadOnly(String action) {
    return readOnly.contains(action);
  }

  /**
   * Runs one action and returns the response document.
   *
   * @throws ApiException for every refusal, with the elbv2 code
   */
  String handle(String action, QueryParams p, String requestId) {
    Op op = ops.get(action);
    if (op == null) {
      throw ApiException.badRequest("InvalidAction", "Action: " + action + " (expected: an elbv2 action of API version "
          + VERSION + ")");
    }
    Xml out = new Xml().root(action + "Response", NAMESPACE).start(action + "Result");
    reconcile();
    try {
      op.run(state, p, out);
    } catch (NlbException e) {
      throw ApiException.of(e);
    } catch (IllegalArgumentException e) {
      throw ApiException.validation(String.valueOf(e.getMessage()));
    }
    out.end().start("ResponseMetadata").text("RequestId", requestId).end();
    return out.finish();
  }

  /** The load balancers the endpoint lists, by ARN, as the library has them now (for the zonal-shift API). */
  Map<String, LoadBalancer> loadBalancersByArn() {
    reconcile();
    Map<String, LoadBalancer> out = new LinkedHashMap<>();
    loadBalancers.forEach((arn, l) -> out.put(arn, l.lb));
    return out;
  }

  /**
   * Brings the records in line with the library: drops those whose resource is gone, and adds
   * read-only records (ARNs from the library's ids) for resources the API did not create.
   */
  void reconcile() {
    List<StateFile.Entry> s = shared;
    if (s != null && s != adopted) {
      adopted = s;
      persistence.adopt(s);
    }
    state.reconcile();
  }

  /** A service with this one's settings over another {@link Nlb} (the scratch one a shared change runs on). */
  ElbV2Service over(Nlb other) {
    return new ElbV2Service(region, accountId, state.over(other));
  }

  /**
   * The load balancers and target groups {@code entries} describe, as desired state; reads only
   * settings, so any thread may call it.
   */
  NlbConfig desired(List<StateFile.Entry> entries) {
    return persistence.desired(entries);
  }

  /**
   * Tells the service that the {@link Nlb} now runs what {@code entries} describe (a shared
   * state's API records): from the next request on, the records take their ids, subnets,
   * security groups and tags from them. Any thread.
   */
  void runs(List<StateFile.Entry> entries) {
    shared = List.copyOf(entries);
  }

  /** Every record the API owns, in restore order. */
  List<StateFile.Entry> snapshot() {
    return persistence.snapshot();
  }

  /**
   * Recreates the records of a state file, under their old ids. All or nothing: on any failure
   * what was recreated is deleted again and the failure is thrown, naming the record.
   */
  void restore(List<StateFile.Entry> entries) {
    persistence.restore(entries);
  }

  // ------------------------------------------------------------------ policies and limits

  private static void describeSslPolicies(ElbState state, QueryParams p, Xml out) {
    List<String> names = p.list("Names");
    List<SecurityPolicy> all = new ArrayList<>();
    if (names.isEmpty()) {
      all.addAll(SecurityPolicy.all());
    } else {
      for (String n : names) {
        try {
          all.add(SecurityPolicy.named(n));
        } catch (IllegalArgumentException e) {
          throw ApiException.badRequest("SSLPolicyNotFound", "Names: " + n + " (expected: a security policy name)");
        }
      }
    }
    p.get("LoadBalancerType").ifPresent(t -> {
      if (!t.equals("network")) {
        throw ApiException.validation("LoadBalancerType: " + t + " (expected: network)");
      }
    });
    state.writePage(p, out, "SslPolicies", all, (member, s) -> {
      member.text("Name", s.name()).start("SslProtocols");
      s.protocolNames().forEach(n -> member.text("member", n));
      member.end().start("Ciphers");
      int priority = 1;
      for (CipherSuite c : s.ciphers()) {
        member.start("member").text("Name", c.policyName()).text("Priority", priority++).end();
      }
      member.end().start("SupportedLoadBalancerTypes").text("member", "network").end().end();
    });
  }

  private static void describeAccountLimits(ElbState state, QueryParams p, Xml out) {
    Quotas q = state.nlb.quotas();
    Map<String, Integer> limits = new LinkedHashMap<>();
    limits.put("network-load-balancers", q.loadBalancers());
    limits.put("target-groups", q.targetGroups());
    limits.put("listeners-per-network-load-balancer", q.listenersPerLoadBalancer());
    limits.put("targets-per-network-load-balancer", q.targetsPerLoadBalancer());
    limits.put("targets-per-availability-zone-per-network-load-balancer", q.targetsPerZonePerLoadBalancer());
    limits.put("targets-per-target-group", q.targetsPerTargetGroup());
    limits.put("certificates-per-network-load-balancer", q.certificatesPerLoadBalancer());
    limits.put("target-groups-per-action-on-network-load-balancer", q.targetGroupsPerAction());
    List<Map.Entry<String, Integer>> all = new ArrayList<>(limits.entrySet());
    state.writePage(p, out, "Limits", all,
        (member, e) -> member.text("Name", e.getKey()).text("Max", Integer.toString(e.getValue())).end());
  }
}
