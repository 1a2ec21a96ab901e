package io.nlb.examples;

/** The demo (filled in as the library grows). */
public final class Demo {
  private Demo() {}

  /**
   * Runs the demo.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    System.out.println("nlb demo");
  }
}
