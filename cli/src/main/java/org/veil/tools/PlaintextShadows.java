package org.veil.tools;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.veil.catalog.StorageForm;
import org.veil.crypto.CellCodec;
import org.veil.crypto.CellShape;
import org.veil.tools.TableTarget.Column;

/**
 * decrypt-column --convert-to-text: what the job does to a row of a table whose bytea columns
 * get text shadows ({@link ByteaConversion.Direction#TO_TEXT}). The bytea columns keep their
 * cells (they are kept aside at the swap); each shadow gets the plaintext of its column's cell
 * in text form, or the column's value as UTF-8 text when it is no cell (plaintext left by an
 * earlier decrypt-column). The other columns are decrypted in place, as decrypt-column does. A
 * value that cannot be text (a bytes value, bytes that are not UTF-8, a cell that does not open)
 * leaves its shadow empty and counts as failed, which holds the swap back. Holds no row state;
 * used by one thread at a time.
 */
final class PlaintextShadows {

  private PlaintextShadows() {}

  /**
   * @param columns the table's columns as the job's target lists them before the shadows
   * @param shadowed for shadow {@code j} (after {@code columns}), the column it stands in for
   */
  static CellRewrite of(CellCodec codec, List<Column> columns, int[] shadowed,
      System.Logger log) {
    int n = columns.size();
    List<Integer> others = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      final int at = i;
      if (java.util.Arrays.stream(shadowed).noneMatch(s -> s == at)) {
        others.add(i);
      }
    }
    int[] inPlace = others.stream().mapToInt(Integer::intValue).toArray();
    List<Column> inPlaceColumns = others.stream().map(columns::get).toList();
    List<Column> asText = new ArrayList<>();
    for (int s : shadowed) {
      Column c = columns.get(s);
      asText.add(new Column(c.policy(), StorageForm.TEXT, c.name()));
    }
    CellRewrite decryptInPlace = CellRewrite.decrypt(codec, inPlaceColumns, log);
    CellRewrite openAsText = CellRewrite.decrypt(codec, asText, log);
    return (stored, bindings, tally) -> {
      Object[] out = stored.clone();
      boolean changed = false;
      if (inPlace.length > 0) {
        Object[] done = decryptInPlace.rewrite(pick(stored, inPlace),
            pick(bindings, inPlace), tally);
        if (done != null) {
          for (int k = 0; k < inPlace.length; k++) {
            out[inPlace[k]] = done[k];
          }
          changed = true;
        }
      }
      Object[] cells = pick(stored, shadowed);
      Object[] opened = openAsText.rewrite(cells, pick(bindings, shadowed), tally);
      for (int j = 0; j < shadowed.length; j++) {
        Object v = opened == null ? cells[j] : opened[j];
        String text;
        if (v == null || v instanceof String) {
          text = (String) v;
        } else if (CellShape.looksLikeCell((byte[]) v)) {
          text = null; // did not open into text: counted and logged by decrypt
        } else {
          text = utf8((byte[]) v);
          if (text == null) {
            tally.failed++;
            log.log(System.Logger.Level.WARNING, columns.get(shadowed[j]).policy()
                .qualifiedName() + ": a plaintext value is not UTF-8, so it cannot become"
                + " text; its row is left for the conversion to text to do once it is fixed");
          }
        }
        if (!Objects.equals(text, stored[n + j])) {
          out[n + j] = text;
          changed = true;
        }
      }
      return changed ? out : null;
    };
  }

  private static Object[] pick(Object[] values, int[] at) {
    Object[] picked = new Object[at.length];
    for (int k = 0; k < at.length; k++) {
      picked[k] = values[at[k]];
    }
    return picked;
  }

  private static byte[][] pick(byte[][] values, int[] at) {
    byte[][] picked = new byte[at.length][];
    for (int k = 0; k < at.length; k++) {
      picked[k] = values[at[k]];
    }
    return picked;
  }

  private static String utf8(byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      return decoder.decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
