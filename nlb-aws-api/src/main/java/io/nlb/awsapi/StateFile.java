package io.nlb.awsapi;

import java.nio.file.Path;

/** Placeholder until persistence lands: writes nothing. */
final class StateFile {
  private final Path path;

  StateFile(Path path) {
    this.path = path;
  }

  Path path() {
    return path;
  }

  void restore(ElbV2Service elb) {
  }

  void write(ElbV2Service elb) {
    // persistence is added in a later commit
  }
}
