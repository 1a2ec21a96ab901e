package io.nlb.awsapi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The subset of CBOR (RFC 8949) that the Smithy RPC v2 CBOR protocol uses: maps with text keys,
 * arrays, text and byte strings, integers, floats, booleans, null, and epoch-seconds timestamps
 * (tag 1); definite and indefinite lengths on input, definite on output. Stateless.
 *
 * <p>Decoded values are {@code Map<String, Object>}, {@code List<Object>}, {@code String}, {@code
 * byte[]}, {@code Long}, {@code Double}, {@code Boolean}, {@link Instant}, or {@link #NULL}.
 */
final class Cbor {
  /** CBOR null and undefined. */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };
  private static final int MAX_DEPTH = 64;

  private Cbor() {}

  /**
   * Decodes one data item that must span the whole input.
   *
   * @throws IllegalArgumentException naming the offset and what was wrong
   */
  static Object decode(byte[] data) {
    Reader r = new Reader(data);
    Object v = r.item(0);
    if (r.pos != data.length) {
      throw new IllegalArgumentException("cbor: " + (data.length - r.pos) + " bytes after the item (expected: one item)");
    }
    return v;
  }

  private static final class Reader {
    private final byte[] in;
    private int pos;

    Reader(byte[] in) {
      this.in = in;
    }

    private int u8() {
      if (pos >= in.length) {
        throw new IllegalArgumentException("cbor: input ends at offset " + pos + " (expected: more bytes)");
      }
      return in[pos++] & 0xff;
    }

    private long argument(int info) {
      if (info < 24) {
        return info;
      }
      int n = switch (info) {
        case 24 -> 1;
        case 25 -> 2;
        case 26 -> 4;
        case 27 -> 8;
        default -> throw new IllegalArgumentException("cbor: additional information " + info + " at offset " + (pos - 1)
            + " (expected: 0-27)");
      };
      long v = 0;
      for (int i = 0; i < n; i++) {
        v = (v << 8) | u8();
      }
      return v;
    }

    private int length(int info) {
      long n = argument(info);
      if (n < 0 || n > in.length - pos) {
        throw new IllegalArgumentException("cbor: length " + n + " at offset " + pos + " (expected: at most the "
            + (in.length - pos) + " bytes left)");
      }
      return (int) n;
    }

    private boolean atBreak() {
      if (pos < in.length && (in[pos] & 0xff) == 0xff) {
        pos++;
        return true;
      }
      return false;
    }

    Object item(int depth) {
      if (depth > MAX_DEPTH) {
        throw new IllegalArgumentException("cbor: nesting deeper than " + MAX_DEPTH + " (expected: less)");
      }
      int b = u8();
      int major = b >>> 5;
      int info = b & 0x1f;
      switch (major) {
        case 0:
          return argument(info);
        case 1:
          return -1 - argument(info);
        case 2:
        case 3: {
          byte[] bytes;
          if (info == 31) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (!atBreak()) {
              int c = u8();
              if (c >>> 5 != major || (c & 0x1f) == 31) {
                throw new IllegalArgumentException("cbor: chunk of another type at offset " + (pos - 1)
                    + " (expected: definite chunks of the same type)");
              }
              int n = length(c & 0x1f);
              out.write(in, pos, n);
              pos += n;
            }
            bytes = out.toByteArray();
          } else {
            int n = length(info);
            bytes = java.util.Arrays.copyOfRange(in, pos, pos + n);
            pos += n;
          }
          return major == 2 ? bytes : new String(bytes, StandardCharsets.UTF_8);
        }
        case 4: {
          List<Object> list = new ArrayList<>();
          if (info == 31) {
            while (!atBreak()) {
              list.add(item(depth + 1));
            }
          } else {
            int n = length(info);
            for (int i = 0; i < n; i++) {
              list.add(item(depth + 1));
            }
          }
          return list;
        }
        case 5: {
          Map<String, Object> map = new LinkedHashMap<>();
          if (info == 31) {
            while (!atBreak()) {
              entry(map, depth);
            }
          } else {
            int n = length(info);
            for (int i = 0; i < n; i++) {
              entry(map, depth);
            }
          }
          return map;
        }
        case 6: {
          long tag = argument(info);
          Object v = item(depth + 1);
          if (tag == 1) {
            if (v instanceof Long l) {
              return Instant.ofEpochSecond(l);
            }
            if (v instanceof Double d) {
              return Instant.ofEpochMilli(Math.round(d * 1000));
            }
            throw new IllegalArgumentException("cbor: timestamp of " + v + " (expected: epoch seconds)");
          }
          return v;
        }
        default:
          return simple(info);
      }
    }

    private void entry(Map<String, Object> map, int depth) {
      Object k = item(depth + 1);
      if (!(k instanceof String key)) {
        throw new IllegalArgumentException("cbor: map key " + k + " at offset " + pos + " (expected: a text string)");
      }
      map.put(key, item(depth + 1));
    }

    private Object simple(int info) {
      switch (info) {
        case 20:
          return Boolean.FALSE;
        case 21:
          return Boolean.TRUE;
        case 22:
        case 23:
          return NULL;
        case 25: {
          int h = (int) argument(25);
          return halfToDouble(h);
        }
        case 26:
          return (double) Float.intBitsToFloat((int) argument(26));
        case 27:
          return Double.longBitsToDouble(argument(27));
        default:
          throw new IllegalArgumentException("cbor: simple value " + info + " at offset " + (pos - 1)
              + " (expected: false, true, null or a float)");
      }
    }
  }

  private static double halfToDouble(int h) {
    int exp = (h >> 10) & 0x1f;
    int mant = h & 0x3ff;
    double v;
    if (exp == 0) {
      v = mant * Math.pow(2, -24);
    } else if (exp != 31) {
      v = (mant + 1024) * Math.pow(2, exp - 25);
    } else {
      v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    }
    return (h & 0x8000) != 0 ? -v : v;
  }

  /** Encodes a value tree of the types {@link #decode} returns (and Integer). */
  static byte[] encode(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, value);
    return out.toByteArray();
  }

  private static void head(ByteArrayOutputStream out, int major, long n) {
    int m = major << 5;
    if (n < 24) {
      out.write(m | (int) n);
    } else if (n < 0x100) {
      out.write(m | 24);
      out.write((int) n);
    } else if (n < 0x10000) {
      out.write(m | 25);
      out.write((int) (n >> 8));
      out.write((int) n);
    } else if (n < 0x100000000L) {
      out.write(m | 26);
      for (int s = 24; s >= 0; s -= 8) {
        out.write((int) (n >> s));
      }
    } else {
      out.write(m | 27);
      for (int s = 56; s >= 0; s -= 8) {
        out.write((int) (n >> s));
      }
    }
  }

  private static void write(ByteArrayOutputStream out, Object v) {
    if (v == NULL) {
      out.write(0xf6);
    } else if (v instanceof Boolean b) {
      out.write(b ? 0xf5 : 0xf4);
    } else if (v instanceof Integer || v instanceof Long) {
      long n = ((Number) v).longValue();
      if (n >= 0) {
        head(out, 0, n);
      } else {
        head(out, 1, -1 - n);
      }
    } else if (v instanceof Double || v instanceof Float) {
      out.write(0xfb);
      long bits = Double.doubleToLongBits(((Number) v).doubleValue());
      for (int s = 56; s >= 0; s -= 8) {
        out.write((int) (bits >> s));
      }
    } else if (v instanceof String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      head(out, 3, b.length);
      out.write(b, 0, b.length);
    } else if (v instanceof byte[] b) {
      head(out, 2, b.length);
      out.write(b, 0, b.length);
    } else if (v instanceof Instant t) {
      head(out, 6, 1);
      write(out, t.toEpochMilli() / 1000.0);
    } else if (v instanceof List<?> l) {
      head(out, 4, l.size());
      for (Object o : l) {
        write(out, o);
      }
    } else if (v instanceof Map<?, ?> m) {
      head(out, 5, m.size());
      for (Map.Entry<?, ?> e : m.entrySet()) {
        write(out, String.valueOf(e.getKey()));
        write(out, e.getValue());
      }
    } else {
      throw new IllegalArgumentException("cbor: cannot encode " + v.getClass().getName());
    }
  }
}
