package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * org.veil.crypto is a leaf: its compiled classes refer to no other package of Veil, to no JDBC
 * type and to no {@code Properties}; its sources are small. Read from the class files' constant
 * pools, so a fully qualified name in code is caught as well as an import.
 */
class CryptoArchitectureTest {

  private static final Path CLASSES = Path.of("target/classes/org/veil/crypto");
  private static final Path SOURCES = Path.of("src/main/java/org/veil/crypto");
  private static final List<String> FORBIDDEN = List.of("org/veil/jdbc/", "org/veil/config/",
      "org/veil/keys/", "org/veil/kms/", "org/veil/tools/", "org/veil/sql/", "org/veil/tls/",
      "org/veil/error/", "java/sql/", "java/util/Properties");

  @Test
  void cryptoRefersToNoOtherVeilPackageNorJdbcNorProperties() throws IOException {
    List<String> found = new ArrayList<>();
    List<Path> classes = classFiles();
    assertThat(classes).as("compiled crypto classes").hasSizeGreaterThan(10);
    for (Path file : classes) {
      for (String constant : utf8Constants(file)) {
        for (String forbidden : FORBIDDEN) {
          if (constant.contains(forbidden)) {
            found.add(file.getFileName() + " refers to " + constant);
          }
        }
      }
    }
    assertThat(found).isEmpty();
  }

  @Test
  void theScanSeesWhatAClassRefersTo() throws IOException {
    Set<String> constants = utf8Constants(CLASSES.resolve("CellCodec.class"));
    assertThat(constants).anyMatch(c -> c.contains("org/veil/crypto/CellKeys"));
    assertThat(utf8Constants(CLASSES.resolve("CellOpener.class")))
        .anyMatch(c -> c.contains("javax/crypto/AEADBadTagException"));
  }

  @Test
  void everySourceFileIsSmallAndEveryClassFinalOrAnInterfaceEnumOrRecord() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(file);
        if (lines.size() > 300) {
          found.add(file.getFileName() + ": " + lines.size() + " lines");
        }
        for (String line : lines) {
          if (line.startsWith("public class ") || line.startsWith("class ")
              || line.startsWith("public abstract class ") || line.startsWith("abstract class ")) {
            if (!file.getFileName().toString().equals("KeyUnavailableException.java")) {
              found.add(file.getFileName() + ": not final: " + line);
            }
          }
        }
      }
    }
    assertThat(found).isEmpty();
  }

  private static List<Path> classFiles() throws IOException {
    try (Stream<Path> files = Files.list(CLASSES)) {
      return files.filter(f -> f.toString().endsWith(".class")).toList();
    }
  }

  /** The CONSTANT_Utf8 entries of a class file: every class name and descriptor it names. */
  static Set<String> utf8Constants(Path classFile) {
    Set<String> out = new TreeSet<>();
    try (InputStream in = Files.newInputStream(classFile);
        DataInputStream data = new DataInputStream(in)) {
      data.readInt(); // magic
      data.readUnsignedShort();
      data.readUnsignedShort();
      int count = data.readUnsignedShort();
      for (int i = 1; i < count; i++) {
        int tag = data.readUnsignedByte();
        switch (tag) {
          case 1 -> out.add(data.readUTF());
          case 7, 8, 16, 19, 20 -> data.skipBytes(2);
          case 15 -> data.skipBytes(3);
          case 3, 4, 9, 10, 11, 12, 17, 18 -> data.skipBytes(4);
          case 5, 6 -> {
            data.skipBytes(8);
            i++;
          }
          default -> throw new IOException("constant pool tag " + tag + " in " + classFile);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
