package org.veil.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.util.Properties;

/**
 * Run as a child process with a small heap: writes one row of three large values and reads it
 * back, the way an application would, printing {@code READ <getter> <column> <sha-256>} for each
 * value read and {@code DONE} at the end, or {@code FAILED <throwable>} (an
 * {@link OutOfMemoryError} too) with exit status 1.
 *
 * <p>The row: {@code picture bytea} bound with {@code setBytes}, {@code scan bytea} with
 * {@code setBinaryStream} (a stream that makes its bytes as they are read, as a file would give
 * them), {@code letter text} with {@code setString}. Read back twice: {@code getBytes},
 * {@code getBinaryStream} and {@code getString}, then the other way round
 * ({@code getBinaryStream}, {@code getBytes}, {@code getCharacterStream}). Values are made by
 * {@link Generated} and digested as they are read, so the process holds no copy of its own
 * beyond what an application holds to bind or gets from a getter.
 *
 * <p>Arguments: url user sslrootcert table size [veil.columns keyFile keyring]; the password in
 * {@code VEIL_IT_PASSWORD}. With a {@code jdbc:veil:} URL the Veil settings follow.
 */
public final class LargeRowRoundTrip {

  static final long PICTURE_SEED = 1;
  static final long SCAN_SEED = 2;
  static final long LETTER_SEED = 3;

  private LargeRowRoundTrip() {}

  public static void main(String[] args) {
    try {
      run(args);
      System.out.println("DONE");
    } catch (Throwable t) {
      System.out.println("FAILED " + t);
      t.printStackTrace(System.out);
      System.out.flush();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    String url = args[0];
    String table = args[3];
    int size = Integer.parseInt(args[4]);
    Properties props = new Properties();
    props.setProperty("user", args[1]);
    props.setProperty("password", System.getenv("VEIL_IT_PASSWORD"));
    props.setProperty("sslrootcert", args[2]);
    props.setProperty("sslmode", "verify-full");
    if (url.startsWith("jdbc:veil:")) {
      props.setProperty("veil.columns", args[5]);
      props.setProperty("veil.kms", "local");
      props.setProperty("veil.kms.keystore", args[6]);
      props.setProperty("veil.keys.keyring", args[7]);
    }
    try (Connection c = DriverManager.getConnection(url, props)) {
      write(c, table, size);
      read(c, table, false);
      read(c, table, true);
    }
  }

  private static void write(Connection c, String table, int size) throws Exception {
    byte[] picture = Generated.bytes(PICTURE_SEED, size);
    String letter = Generated.text(LETTER_SEED, size);
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO " + table + " (id, picture, scan, letter) VALUES (?, ?, ?, ?)")) {
      ps.setInt(1, 1);
      ps.setBytes(2, picture);
      ps.setBinaryStream(3, Generated.stream(SCAN_SEED, size), size);
      ps.setString(4, letter);
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("the row was not inserted");
      }
    }
  }

  private static void read(Connection c, String table, boolean otherGetters) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT picture, scan, letter FROM " + table + " WHERE id = ?")) {
      ps.setInt(1, 1);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("the row is not there");
        }
        if (!otherGetters) {
          print("getBytes", "picture", sha256(rs.getBytes(1)));
          print("getBinaryStream", "scan", sha256(rs.getBinaryStream(2)));
          print("getString", "letter", sha256(rs.getString(3)));
        } else {
          print("getBinaryStream", "picture", sha256(rs.getBinaryStream(1)));
          print("getBytes", "scan", sha256(rs.getBytes(2)));
          print("getCharacterStream", "letter", sha256(rs.getCharacterStream(3)));
        }
      }
    }
  }

  private static void print(String getter, String column, String digest) {
    System.out.println("READ " + getter + " " + column + " " + digest);
  }

  static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  static String sha256(InputStream in) throws NoSuchAlgorithmException, IOException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[8192];
    try (in) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        md.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** The SHA-256 of the UTF-8 bytes of {@code text}, encoded a chunk at a time. */
  static String sha256(String text) throws NoSuchAlgorithmException, IOException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (Writer w = utf8Digesting(md)) {
      for (int at = 0; at < text.length(); at += 8192) {
        w.write(text, at, Math.min(8192, text.length() - at));
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static String sha256(Reader in) throws NoSuchAlgorithmException, IOException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    char[] buffer = new char[8192];
    try (in; Writer w = utf8Digesting(md)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        w.write(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static Writer utf8Digesting(MessageDigest md) {
    return new OutputStreamWriter(new DigestOutputStream(OutputStream.nullOutputStream(), md),
        StandardCharsets.UTF_8);
  }

  /**
   * Reproducible values of any size, made from a seed byte by byte (each byte depends only on the
   * seed and its position), so that a value can be streamed, or digested, without being held.
   */
  static final class Generated {

    private Generated() {}

    /** The byte at {@code position} of the value of {@code seed}. */
    static byte at(long seed, long position) {
      long z = seed * 0x9E3779B97F4A7C15L + position;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return (byte) (z ^ (z >>> 31));
    }

    /** The character at {@code position} of the text of {@code seed}: ASCII, one byte each. */
    static char charAt(long seed, long position) {
      int b = at(seed, position) & 0x3f;
      return b == 0 ? '\n' : b == 1 ? ' ' : (char) ('0' + b - 2); // '0'..'m'
    }

    static byte[] bytes(long seed, int size) {
      byte[] value = new byte[size];
      for (int i = 0; i < size; i++) {
        value[i] = at(seed, i);
      }
      return value;
    }

    static String text(long seed, int size) {
      byte[] ascii = new byte[size];
      for (int i = 0; i < size; i++) {
        ascii[i] = (byte) charAt(seed, i);
      }
      return new String(ascii, StandardCharsets.US_ASCII);
    }

    /** The bytes of {@code seed}, made as they are read. */
    static InputStream stream(long seed, long size) {
      return new InputStream() {
        private long position;

        @Override
        public int read() {
          return position < size ? at(seed, position++) & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
          if (len == 0) {
            return 0;
          }
          if (position >= size) {
            return -1;
          }
          int n = (int) Math.min(len, size - position);
          for (int i = 0; i < n; i++) {
            b[off + i] = at(seed, position++);
          }
          return n;
        }
      };
    }

    /** SHA-256 of the value of {@code seed}, computed as it is made. */
    static String sha256OfBytes(long seed, long size) throws Exception {
      return LargeRowRoundTrip.sha256(stream(seed, size));
    }

    /** SHA-256 of the UTF-8 text of {@code seed}, computed as it is made. */
    static String sha256OfText(long seed, long size) throws Exception {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] chunk = new byte[8192];
      for (long at = 0; at < size; ) {
        int n = (int) Math.min(chunk.length, size - at);
        for (int i = 0; i < n; i++) {
          chunk[i] = (byte) charAt(seed, at + i);
        }
        md.update(chunk, 0, n);
        at += n;
      }
      return HexFormat.of().formatHex(md.digest());
    }
  }
}
