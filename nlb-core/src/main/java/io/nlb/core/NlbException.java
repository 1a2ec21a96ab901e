package io.nlb.core;

import java.util.List;

/**
 * The one exception type of the control plane: every refused operation throws it with an {@link
 * ErrorCode} and one or more problems, each naming the field (as a path such as {@code
 * listener[TLS:443].certificate}), the bad value and what is allowed.
 *
 * <p>A refused operation changes nothing: the configuration seen before the call is the one seen
 * after it.
 *
 * <pre>{@code
 * try {
 *   nlb.createLoadBalancer(config);
 * } catch (NlbException e) {
 *   if (e.code() == ErrorCode.DUPLICATE_LOAD_BALANCER_NAME) { ... }
 *   e.problems().forEach(System.err::println);
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class NlbException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The error code (serialized form). */
  private final ErrorCode code;
  /** The problems, one per refused value (serialized form). */
  private final List<String> problems;

  /**
   * Creates an exception with one problem.
   *
   * @param code the error code
   * @param problem the problem
   */
  public NlbException(ErrorCode code, String problem) {
    this(code, List.of(problem));
  }

  /**
   * Creates an exception with several problems, all reported at once.
   *
   * @param code the error code
   * @param problems the problems, one per line
   */
  public NlbException(ErrorCode code, List<String> problems) {
    super(format(code, problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("problems: [] (expected: at least one)");
    }
    this.code = code;
    this.problems = List.copyOf(problems);
  }

  private static String format(ErrorCode code, List<String> problems) {
    if (problems.size() == 1) {
      return code.apiName() + ": " + problems.get(0);
    }
    StringBuilder sb = new StringBuilder(code.apiName()).append(": ").append(problems.size()).append(" problems");
    for (String p : problems) {
      sb.append("\n  - ").append(p);
    }
    return sb.toString();
  }

  /** {@return the elbv2-style error code} */
  public ErrorCode code() {
    return code;
  }

  /** {@return every problem found, each naming the field, the value and what is allowed} */
  public List<String> problems() {
    return problems;
  }
}
