package io.nlb.core;

import java.util.Locale;
import java.util.regex.Pattern;

/** The naming rules of load balancers and target groups. */
final class Names {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?");

  private Names() {}

  /** 1-32 letters, digits and hyphens, no hyphen at either end, not starting with {@code internal-}. */
  static String loadBalancer(String name) {
    if (!NAME.matcher(name).matches()) {
      throw Check.invalid("loadBalancer.name", name, "1-32 letters, digits and hyphens, not starting or ending with a hyphen");
    }
    if (name.toLowerCase(Locale.ROOT).startsWith("internal-")) {
      throw Check.invalid("loadBalancer.name", name, "a name not starting with internal-");
    }
    return name;
  }

  /** 1-32 letters, digits and hyphens, no hyphen at either end. */
  static String targetGroup(String name) {
    if (!NAME.matcher(name).matches()) {
      throw Check.invalid("targetGroup.name", name, "1-32 letters, digits and hyphens, not starting or ending with a hyphen");
    }
    return name;
  }
}
