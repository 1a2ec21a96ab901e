package io.nlb.awsapi;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A small writer for the Query protocol's XML: elements and escaped text, nothing else. Not
 * thread-safe; one per response.
 */
final class Xml {
  private final StringBuilder out = new StringBuilder(512);
  private final Deque<String> open = new ArrayDeque<>();
  private boolean closed;

  Xml() {
    out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  }

  /** Opens the root element with a default namespace. */
  Xml root(String name, String namespace) {
    out.append('<').append(name).append(" xmlns=\"");
    escape(namespace);
    out.append("\">");
    open.push(name);
    return this;
  }

  Xml start(String name) {
    checkOpen(name);
    out.append('<').append(name).append('>');
    open.push(name);
    return this;
  }

  Xml end() {
    if (open.isEmpty()) {
      throw new IllegalStateException("xml: end() with no open element");
    }
    out.append("</").append(open.pop()).append('>');
    if (open.isEmpty()) {
      closed = true;
    }
    return this;
  }

  /** A document has one root: nothing may follow it (a misplaced end() would otherwise pass unseen). */
  private void checkOpen(String name) {
    if (closed || open.isEmpty()) {
      throw new IllegalStateException("xml: <" + name + "> outside the root element");
    }
  }

  /** {@code <name>text</name>}. */
  Xml text(String name, String value) {
    checkOpen(name);
    out.append('<').append(name).append('>');
    escape(value);
    out.append("</").append(name).append('>');
    return this;
  }

  Xml text(String name, long value) {
    return text(name, Long.toString(value));
  }

  Xml text(String name, boolean value) {
    return text(name, Boolean.toString(value));
  }

  /** Closes every open element and returns the document. */
  String finish() {
    while (!open.isEmpty()) {
      end();
    }
    return out.toString();
  }

  private void escape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        case '\r' -> out.append("&#13;");
        default -> {
          // XML 1.0 has no way to carry other control characters; they cannot come from the
          // library's validated values, but a message may echo a caller's bytes.
          if (c < 0x20 && c != '\n' && c != '\t') {
            out.append("&#xFFFD;");
          } else {
            out.append(c);
          }
        }
      }
    }
  }
}
