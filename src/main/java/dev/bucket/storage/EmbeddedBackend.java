package dev.bucket.storage;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * mongo-java-server's H2 backend with its own on-disk layout: documents as BSON ({@link DocumentType}) and
 * unique-index keys as BSON ordered by value ({@link IndexKeyType}), where H2's defaults Java-serialise both and
 * order index keys by comparing their serialisations. On the write path those defaults were most of the embedded
 * server's CPU. A store records its layout when it is created (see {@link #open}); a store created before this
 * layout existed keeps H2's defaults, since its index B-trees are ordered the old way.
 */
final class EmbeddedBackend extends H2Backend {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBackend.class);
  /** Outside every database's map prefix, so dropping a database never drops it. */
  static final String FORMAT_MAP = "_bucket_store_format";
  static final String LAYOUT = "layout";
  static final String BSON_LAYOUT = "bson-v1";

  private EmbeddedBackend(MVStore store) {
    super(store);
  }

  /**
   * A backend over {@code store}: a new store records and uses the BSON layout; an existing one uses the layout it
   * recorded, or H2's defaults when it recorded none.
   */
  static EmbeddedBackend open(MVStore store) {
    boolean fresh = store.getMapNames().isEmpty();
    MVMap<String, String> format = store.openMap(FORMAT_MAP);
    if (fresh) {
      format.put(LAYOUT, BSON_LAYOUT);
    }
    EmbeddedBackend backend = new EmbeddedBackend(store);
    if (!backend.bsonLayout()) {
      LOG.warn("metadata store created by an earlier version: it keeps H2's slower default layout");
    }
    return backend;
  }

  /**
   * Read from the store, not kept in a field: H2Backend's constructor already opens the existing databases, before
   * a field of this class could be assigned.
   */
  boolean bsonLayout() {
    return BSON_LAYOUT.equals(getMvStore().<String, String>openMap(FORMAT_MAP).get(LAYOUT));
  }

  @Override
  protected MongoDatabase openOrCreateDatabase(String databaseName) {
    return new Database(databaseName);
  }

  /**
   * An inner class on purpose: H2Database's constructor already opens the existing collections and indexes, before
   * a field of a subclass could be assigned, while the reference to the enclosing backend is set before it runs.
   */
  private final class Database extends H2Database {

    private static final String DATA_PREFIX = "databases.";
    private static final String META_PREFIX = "meta.";

    Database(String databaseName) {
      super(databaseName, getMvStore(), getCursorRegistry());
    }

    @Override
    protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
      if (!bsonLayout()) {
        return super.openOrCreateCollection(collectionName, options);
      }
      // The map names H2Database gives a collection, so that drop and rename find the same maps.
      String fullName = getFullCollectionNamespace(collectionName);
      MVMap<Object, Document> data = getMvStore().openMap(DATA_PREFIX + fullName,
          new MVMap.Builder<Object, Document>().valueType(new DocumentType()));
      MVMap<String, Object> meta = getMvStore().openMap(META_PREFIX + fullName);
      return new H2Collection(this, collectionName, options, data, meta, cursorRegistry);
    }

    @Override
    protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                    boolean sparse) {
      if (!bsonLayout()) {
        return super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse);
      }
      String mapName = getFullCollectionNamespace(collectionName) + "._index_" + indexName;
      MVMap<KeyValue, Object> map = getMvStore().openMap(mapName,
          new MVMap.Builder<KeyValue, Object>().keyType(new IndexKeyType()));
      return new UniqueIndex(map, indexName, keys, sparse);
    }
  }

  /** H2UniqueIndex over a map opened with {@link IndexKeyType} (H2UniqueIndex's constructor is package-private). */
  private static final class UniqueIndex extends AbstractUniqueIndex<Object> {

    private final MVMap<KeyValue, Object> map;

    UniqueIndex(MVMap<KeyValue, Object> map, String name, List<IndexKey> keys, boolean sparse) {
      super(name, keys, sparse);
      this.map = map;
    }

    @Override
    protected Object removeDocument(KeyValue key) {
      return map.remove(key);
    }

    @Override
    protected boolean putKeyPosition(KeyValue key, Object position) {
      return map.putIfAbsent(key, Missing.ofNullable(position)) == null;
    }

    @Override
    protected Iterable<Map.Entry<KeyValue, Object>> getIterable() {
      return map.entrySet();
    }

    @Override
    protected Object getPosition(KeyValue key) {
      return map.get(key);
    }

    @Override
    public long getCount() {
      return map.sizeAsLong();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public long getDataSize() {
      return getCount();
    }
  }
}
