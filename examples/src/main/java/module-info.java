/** Runnable examples. Uses only what the library modules export. */
module io.nlb.examples {
  requires io.nlb.core;
  requires static org.jspecify;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;

  exports io.nlb.examples;
  exports io.nlb.examples.launcher;
}
