package dev.bucket.storage;

import de.bwaldvogel.mongo.bson.Document;
import java.nio.ByteBuffer;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * The embedded store's documents as BSON ({@link BsonBytes}) instead of H2's default Java serialisation, which was
 * most of the cost of writing its pages: every commit rewrites whole pages, and so every document in a changed page.
 */
final class DocumentType extends BasicDataType<Document> {

  @Override
  public int getMemory(Document document) {
    return BsonBytes.memory(document);
  }

  @Override
  public void write(WriteBuffer out, Document document) {
    BsonBytes.write(out, document);
  }

  @Override
  public Document read(ByteBuffer in) {
    return BsonBytes.read(in);
  }

  @Override
  public Document[] createStorage(int size) {
    return new Document[size];
  }
}
