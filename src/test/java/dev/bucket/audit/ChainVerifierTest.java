package dev.bucket.audit;

import io.vertx.core.Future;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ChainVerifierTest extends StoreTestBase {

  private static final int SIZE = 10;

  private List<AuditEntry> entries;

  /** Writes a 10-entry log, lets {@code tamper} loose on it, and verifies all of it against the original head. */
  private Future<ChainReport> verifyAfter(Function<List<AuditEntry>, Future<?>> tamper) {
    entries = chain(HashChain.EMPTY, SIZE);
    String head = entries.get(SIZE - 1).entryHash();
    return insert(entries)
        .compose(v -> tamper.apply(entries))
        .compose(v -> new ChainVerifier(store).verify(0, SIZE, head));
  }

  private Future<?> replace(AuditEntry entry) {
    return overwrite(entry.index(), entry.toDocument());
  }

  private static void expect(VertxTestContext test, ChainReport report, long index, String problem, long checked) {
    test.verify(() -> {
      assertThat(report.ok()).isFalse();
      assertThat(report.firstBadIndex()).isEqualTo(index);
      assertThat(report.problem()).isEqualTo(problem);
      assertThat(report.checked()).isEqualTo(checked);
      assertThat(report.detail()).contains(String.valueOf(index));
    });
    test.completeNow();
  }

  @Test
  void anIntactLogVerifiesWholeAndFromTheMiddle(VertxTestContext test) {
    verifyAfter(written -> Future.succeededFuture())
        .compose(whole -> {
          test.verify(() -> assertThat(whole).isEqualTo(ChainReport.ok(SIZE)));
          return new ChainVerifier(store).verify(4, SIZE, entries.get(SIZE - 1).entryHash());
        })
        .onComplete(test.succeeding(part -> {
          test.verify(() -> assertThat(part).isEqualTo(ChainReport.ok(SIZE - 4)));
          test.completeNow();
        }));
  }

  @Test
  void anEditedFieldIsAnEntryHashMismatchAtThatEntry(VertxTestContext test) {
    verifyAfter(written -> tamper(3, doc -> doc.put("actor", "mallory")))
        .onComplete(test.succeeding(report -> expect(test, report, 3, "entry_hash_mismatch", 3)));
  }

  @Test
  void aDeletedEntryIsAGapAtItsIndex(VertxTestContext test) {
    verifyAfter(written -> remove(5))
        .onComplete(test.succeeding(report -> expect(test, report, 5, "gap", 5)));
  }

  @Test
  void aTruncatedTailIsAGapAtTheFirstMissingIndex(VertxTestContext test) {
    verifyAfter(written -> remove(8, 9))
        .onComplete(test.succeeding(report -> expect(test, report, 8, "gap", 8)));
  }

  @Test
  void swappedDocumentsAreAnIndexMismatchAtTheFirst(VertxTestContext test) {
    verifyAfter(written -> Future.all(overwrite(3, written.get(4).toDocument()),
        overwrite(4, written.get(3).toDocument())))
        .onComplete(test.succeeding(report -> expect(test, report, 3, "index_mismatch", 3)));
  }

  @Test
  void swappedAndRenumberedEntriesBreakTheLinkAtTheFirst(VertxTestContext test) {
    // The forger renumbers and rehashes each moved entry so it passes on its own; only the chain exposes it.
    verifyAfter(written -> Future.all(replace(renumbered(written.get(4), 3)), replace(renumbered(written.get(3), 4))))
        .onComplete(test.succeeding(report -> expect(test, report, 3, "prev_hash_mismatch", 3)));
  }

  @Test
  void aConsistentlyRewrittenTailIsOnlyExposedByTheExpectedHead(VertxTestContext test) {
    verifyAfter(written -> {
      // Rewrite entry 7 and re-chain everything after it: every entry and link checks out.
      List<AuditEntry> forged = new ArrayList<>();
      AuditHead head = HashChain.headAfter(written.get(6));
      for (AuditEntry original : written.subList(7, SIZE)) {
        AuditEntry entry = HashChain.next(head, record("mallory", original.artifactId(), original.version()), T0);
        forged.add(entry);
        head = HashChain.headAfter(entry);
      }
      return Future.all(forged.stream().map(this::replace).toList());
    }).compose(report -> {
      test.verify(() -> {
        assertThat(report.problem()).isEqualTo("head_mismatch");
        assertThat(report.firstBadIndex()).isEqualTo(SIZE - 1);
        assertThat(report.checked()).isEqualTo(SIZE);
      });
      return new ChainVerifier(store).verify(0, SIZE, null);
    }).onComplete(test.succeeding(withoutHead -> {
      test.verify(() -> assertThat(withoutHead.ok()).isTrue());
      test.completeNow();
    }));
  }

  @Test
  void aMissingAnchorEntryIsReportedForARangeStartingAfterIt(VertxTestContext test) {
    verifyAfter(written -> remove(3))
        .compose(whole -> new ChainVerifier(store).verify(4, SIZE, null))
        .onComplete(test.succeeding(report -> expect(test, report, 3, "gap", 0)));
  }

  @Test
  void verificationPagesThroughMoreEntriesThanOnePage(VertxTestContext test) {
    List<AuditEntry> many = chain(HashChain.EMPTY, ChainVerifier.PAGE + 5);
    insert(many)
        .compose(v -> new ChainVerifier(store).verify(0, many.size(), many.get(many.size() - 1).entryHash()))
        .onComplete(test.succeeding(report -> {
          test.verify(() -> assertThat(report).isEqualTo(ChainReport.ok(many.size())));
          test.completeNow();
        }));
  }

  @Test
  void aTamperedCommitKeyIsMalformedThoughItIsNotHashed(VertxTestContext test) {
    verifyAfter(written -> tamper(6, doc -> doc.put("commit_key", "prod-a/art-0/99")))
        .onComplete(test.succeeding(report -> {
          expect(test, report, 6, "malformed", 6);
          test.verify(() -> assertThat(report.detail()).contains("commit_key"));
        }));
  }

  @Test
  void pagesAreScannedByIndexAcrossPageBoundariesFromAnyStart(VertxTestContext test) {
    int size = 2 * ChainVerifier.PAGE + 500;
    List<AuditEntry> many = chain(HashChain.EMPTY, size);
    String head = many.get(size - 1).entryHash();
    ChainVerifier verifier = new ChainVerifier(store);
    insert(many)
        .compose(v -> Future.all(List.of(verifier.verify(0, size, head), verifier.verify(999, size, head),
            verifier.verify(1000, 2001, many.get(2000).entryHash()), verifier.verify(size, size, head),
            verifier.verify(1, 1, many.get(0).entryHash()))))
        .compose(intact -> {
          test.verify(() -> {
            assertThat(intact.<ChainReport>resultAt(0)).isEqualTo(ChainReport.ok(size));
            assertThat(intact.<ChainReport>resultAt(1)).isEqualTo(ChainReport.ok(size - 999));
            assertThat(intact.<ChainReport>resultAt(2)).isEqualTo(ChainReport.ok(1001));
            assertThat(intact.<ChainReport>resultAt(3)).isEqualTo(ChainReport.ok(0));
            assertThat(intact.<ChainReport>resultAt(4)).isEqualTo(ChainReport.ok(0));
          });
          return remove(2000);
        })
        .compose(v -> Future.all(verifier.verify(500, size, head), verifier.verify(2001, size, head)))
        .onComplete(test.succeeding(broken -> test.verify(() -> {
          ChainReport gap = broken.resultAt(0);
          assertThat(gap.problem()).isEqualTo("gap");
          assertThat(gap.firstBadIndex()).isEqualTo(2000);
          assertThat(gap.checked()).isEqualTo(1500);
          ChainReport anchor = broken.resultAt(1);
          assertThat(anchor.problem()).isEqualTo("gap");
          assertThat(anchor.firstBadIndex()).isEqualTo(2000);
          assertThat(anchor.checked()).isZero();
          test.completeNow();
        })));
  }

  private static AuditEntry renumbered(AuditEntry entry, long index) {
    AuditEntry moved = new AuditEntry(index, entry.ts(), entry.actor(), entry.product(), entry.operation(),
        entry.artifactId(), entry.version(), entry.contentHash(), entry.outcome(), entry.status(), entry.reason(),
        entry.retentionUntil(), entry.details(), entry.requestId(), entry.prevHash(), null);
    return moved.withEntryHash(HashChain.entryHash(moved.prevHash(), moved.canonicalBytes()));
  }
}
