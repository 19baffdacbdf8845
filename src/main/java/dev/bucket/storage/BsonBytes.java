package dev.bucket.storage;

import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import org.h2.mvstore.WriteBuffer;

/**
 * How the embedded store's own types ({@link DocumentType}, {@link IndexKeyType}) put documents on disk: as BSON,
 * with the embedded server's encoder and decoder, the same code that reads and writes them on the wire. A BSON
 * document starts with its own length, so nothing else is needed to find its end.
 */
final class BsonBytes {

  private BsonBytes() {
  }

  static void write(WriteBuffer out, Map<String, ?> document) {
    ByteBuf bson = Unpooled.buffer(256);
    try {
      BsonEncoder.encodeDocument(document, bson);
      out.put(bson.array(), bson.arrayOffset() + bson.readerIndex(), bson.readableBytes());
    } finally {
      bson.release();
    }
  }

  static Document read(ByteBuffer in) {
    int start = in.position();
    int length = Integer.reverseBytes(in.getInt(start)); // BSON lengths are little-endian
    Document document = BsonDecoder.decodeBson(Unpooled.wrappedBuffer(in.slice(start, length)));
    in.position(start + length);
    return document;
  }

  /**
   * A cheap estimate of the heap a decoded value takes, for the store's page-size and cache accounting; encoding
   * the value to measure it would cost as much as storing it.
   */
  static int memory(Object value) {
    if (value instanceof CharSequence text) {
      return 40 + 2 * text.length();
    }
    if (value instanceof Map<?, ?> map) {
      int sum = 48;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        sum += 32 + memory(entry.getKey()) + memory(entry.getValue());
      }
      return sum;
    }
    if (value instanceof Collection<?> values) {
      int sum = 40;
      for (Object element : values) {
        sum += 8 + memory(element);
      }
      return sum;
    }
    if (value instanceof BinData binary) {
      return 32 + binary.getData().length; // GridFS chunks: the store must see their real size to bound its buffer
    }
    return 24;
  }
}
