"""Server-side conversations: they expire, stay bounded, and the least recently used go first."""

from __future__ import annotations

from assistant.conversation import Exchange
from assistant.conversation_store import ConversationStore
from assistant.models import Answer, Citation


def turn(question: str) -> list[Exchange]:
    return [Exchange(question, Answer(question, "answered", "…", []))]


def test_an_expired_conversation_is_never_read_back(tmp_path):
    now = [1000.0]
    store = ConversationStore(tmp_path / "c.sqlite3", ttl=60, clock=lambda: now[0])
    store.save("a" * 16, turn("quên mật khẩu vneid"))
    now[0] += 59
    assert store.history("a" * 16) is not None
    now[0] += 2
    assert store.history("a" * 16) is None  # its row may still be there until the next prune


def test_the_least_recently_used_go_first_when_pruning_every_save(tmp_path):
    now = [0.0]
    store = ConversationStore(tmp_path / "c.sqlite3", ttl=10_000, max_conversations=3,
                              clock=lambda: now[0], prune_every=1)
    for name in "abcd":
        now[0] += 1
        store.save(name * 16, turn(name))
        if name == "c":
            now[0] += 1
            store.save("a" * 16, turn("a again"))  # a is now the most recent of a, b, c
    assert store.count() == 3
    assert store.history("b" * 16) is None
    assert all(store.history(n * 16) is not None for n in "acd")


def test_rows_stay_bounded_between_prunes(tmp_path):
    now = [0.0]
    store = ConversationStore(tmp_path / "c.sqlite3", ttl=10_000, max_conversations=20,
                              clock=lambda: now[0], prune_every=10)
    for i in range(100):
        now[0] += 1
        store.save(f"conversation{i:04d}", turn(str(i)))
        assert store.count() <= 20 + 10
    now[0] += 20_000
    store.save("late-comer-0001", turn("x"))  # the 101st save prunes: every older row has expired
    assert store.count() == 1


def test_a_declined_turn_reads_back_with_its_suggested_guides(tmp_path):
    store = ConversationStore(tmp_path / "c.sqlite3")
    nearby = Citation(1, "corpus/vneid/doi-so.md", "Đổi số điện thoại VNeID", "Các bước", "https://example.gov.vn",
                      "1. Gọi 1900 0368.", 0.0, "2026-11-25", "corpus/vneid/doi-so.md#2")
    store.save("d" * 16, [Exchange("đổi số", Answer("đổi số", "no_answer", "Xin lỗi…", suggestions=[nearby]))])
    history = store.history("d" * 16)
    assert history is not None and history[0].answer.suggestions == [nearby]
