package io.nlb.core;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tags of one load balancer or target group, and the add-tags and remove-tags commands that
 * change them (checked by the rules of {@link Tags}). One implementation for both resources.
 *
 * <p>Control plane only: read and changed inside commands.
 */
final class TagSet {
  private final String path;
  private final Runnable checkLive;
  private Map<String, String> tags;

  /**
   * @param path the resource in messages, such as {@code loadBalancer[web]}
   * @param checkLive refuses a change to a deleted resource
   * @param initial the tags the resource was created with
   */
  TagSet(String path, Runnable checkLive, Map<String, String> initial) {
    this.path = path;
    this.checkLive = checkLive;
    this.tags = new LinkedHashMap<>(initial);
  }

  /** The tags now (the live map: copy it before handing it out). */
  Map<String, String> current() {
    return tags;
  }

  /** Adds or replaces tags; a command. */
  void add(Map<String, String> additions) {
    checkLive.run();
    tags = Tags.add(path, tags, additions);
  }

  /** Removes tags by key; a command. */
  void remove(Collection<String> keys) {
    checkLive.run();
    tags = Tags.remove(tags, keys);
  }

  /** Puts back tags kept before a failed {@link Nlb#apply}. */
  void restore(Map<String, String> saved) {
    tags = new LinkedHashMap<>(saved);
  }

  /** The add-tags command of the resource {@code resourceId}. */
  Command<Boolean> addCommand(String resourceId, Map<String, String> additions) {
    return Command.onControl("AddTags", Command.fields("resourceArns", List.of(resourceId), "tags", additions), () -> add(additions));
  }

  /** The remove-tags command of the resource {@code resourceId}. */
  Command<Boolean> removeCommand(String resourceId, Collection<String> keys) {
    return Command.onControl("RemoveTags", Command.fields("resourceArns", List.of(resourceId), "tagKeys", List.copyOf(keys)),
        () -> remove(keys));
  }
}
