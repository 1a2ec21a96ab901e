/** Runnable examples. Uses only what the library modules export. */
module io.nlb.examples {
  requires io.nlb.core;
  requires static org.jspecify;

  exports io.nlb.examples;
}
