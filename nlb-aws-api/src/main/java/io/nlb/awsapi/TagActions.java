package io.nlb.awsapi;

import io.nlb.awsapi.ElbState.LbRec;
import io.nlb.awsapi.ElbState.LnRec;
import io.nlb.awsapi.ElbState.Rec;
import io.nlb.awsapi.ElbState.TgRec;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Tags;
import io.nlb.core.TargetGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The elbv2 tag actions, over the three kinds of resource at once: every ARN is checked (and
 * every change validated) before anything changes.
 *
 * <p>Stateless: each action reads and changes the {@link ElbState} passed in, on the endpoint's one
 * operations thread.
 */
final class TagActions {
  private TagActions() {}

  /** The resources an ARN list names, every one checked before anything changes. */
  private static List<Rec> resources(ElbState state, QueryParams p) {
    List<String> given = p.list("ResourceArns");
    if (given.isEmpty()) {
      throw ApiException.missing("ResourceArns");
    }
    if (given.size() > 20) {
      throw ApiException.validation("ResourceArns: " + given.size() + " ARNs (expected: at most 20)");
    }
    List<Rec> out = new ArrayList<>();
    for (String arn : given) {
      out.add(switch (Arns.kindOf("ResourceArns", arn)) {
        case LOAD_BALANCER -> state.loadBalancer("ResourceArns", arn);
        case TARGET_GROUP -> state.targetGroup("ResourceArns", arn);
        case LISTENER -> state.listener("ResourceArns", arn);
      });
    }
    return out;
  }

  private static Map<String, String> tagsOf(Rec r) {
    if (r instanceof LbRec l) {
      return l.lb.tags();
    }
    if (r instanceof TgRec t) {
      return t.tg.tags();
    }
    return ((LnRec) r).tags;
  }

  /**
   * Changes the tags of {@code r}: the library keeps those of load balancers and target groups,
   * the records those of listeners.
   */
  private static void change(Rec r, Consumer<LoadBalancer> lb, Consumer<TargetGroup> tg,
      Consumer<Map<String, String>> listener) {
    if (r instanceof LbRec l) {
      lb.accept(l.lb);
    } else if (r instanceof TgRec t) {
      tg.accept(t.tg);
    } else {
      listener.accept(((LnRec) r).tags);
    }
  }

  static void addTags(ElbState state, QueryParams p, Xml out) {
    List<Rec> resources = resources(state, p);
    resources.forEach(state::owned);
    Map<String, String> tags = p.keyValues("Tags", "DuplicateTagKeys");
    if (tags.isEmpty()) {
      throw ApiException.missing("Tags");
    }
    ElbState.checkTags("Tags", tags);
    for (Rec r : resources) {
      Map<String, String> merged = new LinkedHashMap<>(tagsOf(r));
      merged.putAll(tags);
      if (merged.size() > Tags.MAX_TAGS) {
        throw ApiException.badRequest("TooManyTags", "Tags: " + merged.size() + " tags on " + r.arn
            + " (expected: at most " + Tags.MAX_TAGS + ")");
      }
    }
    for (Rec r : resources) {
      change(r, lb -> lb.addTags(tags), tg -> tg.addTags(tags), listenerTags -> listenerTags.putAll(tags));
    }
  }

  static void removeTags(ElbState state, QueryParams p, Xml out) {
    List<Rec> resources = resources(state, p);
    resources.forEach(state::owned);
    List<String> keys = p.list("TagKeys");
    if (keys.isEmpty()) {
      throw ApiException.missing("TagKeys");
    }
    for (Rec r : resources) {
      change(r, lb -> lb.removeTags(keys), tg -> tg.removeTags(keys), listenerTags -> keys.forEach(listenerTags::remove));
    }
  }

  static void describeTags(ElbState state, QueryParams p, Xml out) {
    List<Rec> resources = resources(state, p);
    out.start("TagDescriptions");
    for (Rec r : resources) {
      out.start("member").text("ResourceArn", r.arn).start("Tags");
      tagsOf(r).forEach((k, v) -> out.start("member").text("Key", k).text("Value", v).end());
      out.end().end();
    }
    out.end();
  }
}
