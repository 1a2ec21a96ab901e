package io.nlb.awsapi;

import java.nio.file.Path;

/**
 * A stand-in for the daemon, run in a child JVM by {@link AwsApiRestartIntegrationTest}: the
 * fixture's data plane and endpoint with a state file, its endpoint printed on one line, then
 * nothing until the process is killed.
 */
public final class ApiDaemonChild {
  private ApiDaemonChild() {}

  /** {@code args[0]}: the state file. */
  public static void main(String[] args) throws InterruptedException {
    ApiFixture f = new ApiFixture(Path.of(args[0]), b -> { });
    System.out.println("endpoint " + f.api.endpoint());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
