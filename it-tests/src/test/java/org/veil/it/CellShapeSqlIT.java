package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.veil.crypto.CellCodec;
import org.veil.crypto.CellColumn;
import org.veil.crypto.CellShape;
import org.veil.crypto.CellShapeSql;
import org.veil.crypto.ValueType;
import org.veil.crypto.Wrapping;
import org.veil.keys.InMemoryBranchKeyStore;
import org.veil.keys.TestCodec;
import org.veil.kms.LocalKeyProvider;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * {@link CellShapeSql}'s SQL as PostgreSQL evaluates it (the guard's and the conversion
 * trigger's test): the text shape holds for the text form of every cell the codec writes (each
 * version and kind, empty and large values, the docs/FORMAT.md vectors) and for no text that is
 * not one; the bytea shape holds for every cell; the bytes the server takes from a text cell are
 * the cell's.
 */
class CellShapeSqlIT {

  private static final CellColumn SSN = CellColumn.randomized("public.t.ssn", "public.t.ssn",
      false);
  private static final CellColumn BOUND = CellColumn.randomized("public.t.ssn", "public.t.ssn",
      true);
  private static final CellColumn EMAIL = CellColumn.deterministic("public.t.email",
      "public.t.email");

  private final PostgresServer server = TestPostgres.shared();

  private static TestCodec codec(byte[] master, InMemoryBranchKeyStore store, int version,
      Wrapping wrapping) throws Exception {
    return TestCodec.builder().keyProvider(LocalKeyProvider.ofKey(master, new SecureRandom()))
        .keyStore(store).cellVersion(version).wrapping(wrapping).build();
  }

  private static Map<String, byte[]> cells() throws Exception {
    Map<String, byte[]> cells = new LinkedHashMap<>();
    byte[] master = new byte[32];
    new SecureRandom().nextBytes(master);
    NoSecretsInLogs.register(master);
    InMemoryBranchKeyStore store = new InMemoryBranchKeyStore();
    char[] large = new char[1 << 20];
    Arrays.fill(large, 'y');
    try (TestCodec v3 = codec(master, store, 3, Wrapping.BRANCH);
        TestCodec v2 = codec(master, store, 2, Wrapping.BRANCH);
        TestCodec direct = codec(master, store, 3, Wrapping.DIRECT)) {
      for (String value : new String[] {"", "a", "ab", "078-05-1120", new String(large)}) {
        String size = "(" + value.length() + " chars)";
        cells.put("v3 randomized " + size, seal(v3.codec(), SSN, value, null));
        cells.put("v2 randomized " + size, seal(v2.codec(), SSN, value, null));
        cells.put("v1 direct " + size, seal(direct.codec(), SSN, value, null));
        cells.put("v1 deterministic " + size, seal(v3.codec(), EMAIL, value, null));
        cells.put("v3 bound " + size, seal(v3.codec(), BOUND, value,
            "1001".getBytes(StandardCharsets.UTF_8)));
      }
    }
    String doc = Files.readString(Path.of(System.getProperty("user.dir"))
        .resolve("../docs/FORMAT.md"));
    for (String vector : new String[] {"randomized-cell", "deterministic-cell",
        "deterministic-int-cell", "v2-randomized-cell", "v2-rewrapped-cell",
        "v3-randomized-cell", "v3-second-cell", "v3-bound-cell", "v3-rewrapped-cell"}) {
      Matcher m = Pattern.compile("(?m)^" + Pattern.quote(vector) + ": ([0-9a-f]+)$")
          .matcher(doc);
      assertThat(m.find()).as("FORMAT.md has " + vector).isTrue();
      cells.put("FORMAT.md " + vector, HexFormat.of().parseHex(m.group(1)));
    }
    return cells;
  }

  private static byte[] seal(CellCodec codec, CellColumn column, String value, byte[] binding)
      throws Exception {
    return codec.seal(codec.beginRow(), column, ValueType.TEXT, value, binding);
  }

  private static Map<String, String> nonCells(byte[] cell, byte[] shortest) {
    Map<String, String> texts = new LinkedHashMap<>();
    String text = CellShape.toText(cell);
    texts.put("the prefix alone", "veil:");
    texts.put("plaintext after the prefix", "veil:my secret, which is not base64 at all");
    texts.put("plaintext", "078-05-1120");
    texts.put("base64 of text after the prefix", "veil:" + Base64.getEncoder().encodeToString(
        "a long enough value that is no cell, only its base64".getBytes(
            StandardCharsets.UTF_8)));
    texts.put("upper-case prefix", "VEIL:" + text.substring(5));
    texts.put("a line break after the cell", text + "\n");
    texts.put("a space inside", text.substring(0, 20) + " " + text.substring(20));
    texts.put("padding dropped",
        CellShape.toText(Arrays.copyOf(cell, cell.length + 1)).replace("=", ""));
    texts.put("the header only", CellShape.toText(Arrays.copyOf(cell, 21)));
    texts.put("one byte short of the shortest cell",
        CellShape.toText(Arrays.copyOf(shortest, shortest.length - 1)));
    for (int cut = 1; cut < text.length() - 5; cut++) {
      if ((text.length() - cut - 5) % 4 != 0) {
        texts.put("cut " + cut + " characters short, inside a base64 quantum",
            text.substring(0, text.length() - cut));
      }
    }
    return texts;
  }

  /** {@code sql} over {@code v}, the value bound as {@code type}. */
  private static Boolean holds(Connection c, String sql, String type, Object value)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + sql + " FROM (SELECT CAST(? AS "
        + type + ") AS v) x")) {
      ps.setObject(1, value);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return (Boolean) rs.getObject(1);
      }
    }
  }

  @Test
  void theServerFindsTheShapeInEveryCellItsBytesInEveryTextCellAndNoShapeInNonCells()
      throws Exception {
    Map<String, byte[]> cells = cells();
    String text = CellShapeSql.textShape("v");
    String binary = CellShapeSql.binaryShape("v");
    try (Connection c = server.plainConnection();
        PreparedStatement decode = c.prepareStatement("SELECT "
            + CellShapeSql.textCellBytes("CAST(? AS text)"))) {
      for (Map.Entry<String, byte[]> cell : cells.entrySet()) {
        String form = CellShape.toText(cell.getValue());
        assertThat(holds(c, text, "text", form)).as(cell.getKey()).isTrue();
        assertThat(holds(c, binary, "bytea", cell.getValue())).as(cell.getKey() + " as bytea")
            .isTrue();
        decode.setString(1, form);
        try (ResultSet rs = decode.executeQuery()) {
          rs.next();
          assertThat(rs.getBytes(1)).as(cell.getKey() + ", decoded").isEqualTo(cell.getValue());
        }
      }
      Map<String, String> others = nonCells(cells.get("v3 randomized (11 chars)"),
          cells.get("v1 deterministic (0 chars)"));
      for (Map.Entry<String, String> other : others.entrySet()) {
        assertThat(holds(c, text, "text", other.getValue())).as(other.getKey()).isFalse();
      }
      assertThat(holds(c, text, "text", null)).as("NULL").isNull();
      assertThat(holds(c, binary, "bytea", "078-05-1120".getBytes(StandardCharsets.UTF_8)))
          .as("plaintext bytes").isFalse();
    }
  }
}
