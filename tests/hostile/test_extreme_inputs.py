"""Bad input gets a clear refusal naming the field (INVALID_ARGUMENT + google.rpc.BadRequest, or the
stated status and ErrorInfo reason), never UNKNOWN, never an SQLite message, and never hurts the
server: after each one the server is up and a normal check is served."""

import grpc
import pytest

from support import (NORMAL_PARTY, PDF, PNG, assert_clean_refusal, check_normal, common_pb2, describe, filing,
                     fresh_party, lookup_pb2, member_channel, members_pb2_grpc, register_member, Server)


@pytest.fixture(scope="module")
def server():
    server = Server("inputs")
    yield server
    server.stop_cleanly()


@pytest.fixture(scope="module")
def members(server):
    member_id, issued = register_member(server, "Extreme Inputs Member")
    return members_pb2_grpc.MembersStub(member_channel(server, issued))


def refused(call):
    """The RpcError `call` raised; fails if it was answered."""
    try:
        answer = call()
    except grpc.RpcError as error:
        return error
    raise AssertionError(f"accepted, answered {str(answer)[:300]!r}")


def evidence(content, content_type="application/pdf", name="doc.pdf"):
    return common_pb2.Evidence(description=name, content_type=content_type, content=content)


CASES = {
    # name: (listener, request maker, code, field, reason)
    "nul_in_search_query": ("public", lambda: lookup_pb2.SearchPartiesRequest(query="buyer\x00name"),
                            grpc.StatusCode.INVALID_ARGUMENT, "query", None),
    "search_query_of_201_characters": ("public", lambda: lookup_pb2.SearchPartiesRequest(query="b" * 201),
                                       grpc.StatusCode.INVALID_ARGUMENT, "query", None),
    "legal_name_of_2_mb": ("member", lambda: filing(legal_name="A" * (2 << 20)),
                           grpc.StatusCode.INVALID_ARGUMENT, "legal_name", None),
    "legal_name_of_301_characters": ("member", lambda: filing(legal_name="A" * 301),
                                     grpc.StatusCode.INVALID_ARGUMENT, "legal_name", None),
    "21_evidence_documents": ("member", lambda: filing(evidence=[
        evidence(PDF + f"% {i}\n".encode(), name=f"doc{i}.pdf") for i in range(21)]),
        grpc.StatusCode.INVALID_ARGUMENT, "evidence", None),
    "png_declared_as_pdf": ("member", lambda: filing(evidence=[evidence(PNG)]),
                            grpc.StatusCode.INVALID_ARGUMENT, "evidence[0].content", None),
    "invoice_number_with_trailing_newline": ("member", lambda: filing(number="INV-7\n"),
                                             grpc.StatusCode.INVALID_ARGUMENT, "invoices[0].number", None),
    "amount_of_2_to_the_62": ("member", lambda: filing(amount=2**62),
                              grpc.StatusCode.INVALID_ARGUMENT, None, "AMOUNT_TOO_LARGE"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_extreme_input_is_refused_naming_the_field_and_the_server_serves_on(server, members, case):
    listener, make, code, field, reason = CASES[case]
    request = make()
    if listener == "public":
        error = refused(lambda: server.lookup().SearchParties(request, timeout=30))
    else:
        error = refused(lambda: members.FileDefault(request, timeout=60))
    print(f"{case}: {describe(error)}")
    assert_clean_refusal(error, code, field=field, reason=reason)
    assert server.alive(), f"the server died:\n{server.log_tail()}"
    check_normal(server.lookup())


def test_a_batch_message_of_10001_items_is_refused_and_the_server_serves_on(server):
    request = lookup_pb2.BatchCheckRequest(items=[
        lookup_pb2.BatchItem(correlation_id=str(i), party=common_pb2.PartyIdentifier(value=NORMAL_PARTY))
        for i in range(10_001)])
    answers = server.lookup().BatchCheck(iter([request]), timeout=60)
    error = refused(lambda: list(answers))
    print(f"10,001 items: {describe(error)}")
    assert_clean_refusal(error, grpc.StatusCode.INVALID_ARGUMENT)
    assert server.alive()
    check_normal(server.lookup())


# Numbers that differ from the first filing's only by Unicode dashes, zero-width or other format
# characters, case or whitespace: the same debt.
FIRST_NUMBER = "INV-2024-77"
SAME_DEBT = {
    "hyphen_u2010": "INV\u20102024-77",
    "non_breaking_hyphen_u2011": "INV-2024\u201177",
    "en_dash_u2013": "INV\u20132024\u201377",
    "em_dash_u2014": "INV-2024\u201477",
    "fullwidth_hyphen_uff0d": "INV\uff0d2024-77",
    "zero_width_space": "INV-20\u200b24-77",
    "word_joiner": "INV-2024\u2060-77",
    "soft_hyphen": "INV-\u00ad2024-77",
    "lower_case": "inv-2024-77",
    "surrounding_spaces": "  INV-2024-77 ",
}


def test_an_invoice_number_disguised_with_unicode_is_the_same_debt(server, members):
    party = fresh_party()
    first = members.FileDefault(filing(party=party, number=FIRST_NUMBER), timeout=60)
    assert first.listing_id
    outcomes = {}
    for name, number in SAME_DEBT.items():
        try:
            receipt = members.FileDefault(filing(party=party, number=number), timeout=60)
            outcomes[name] = f"accepted as listing {receipt.listing_id}"
        except grpc.RpcError as error:
            try:
                assert_clean_refusal(error, grpc.StatusCode.ALREADY_EXISTS, reason="DUPLICATE_INVOICE")
                outcomes[name] = "ok"
            except AssertionError as failure:
                outcomes[name] = str(failure)
    for name, outcome in outcomes.items():
        print(f"{name} ({SAME_DEBT[name]!r}): {outcome}")
    wrong = {name: outcome for name, outcome in outcomes.items() if outcome != "ok"}
    assert not wrong, f"these spellings of {FIRST_NUMBER!r} were not refused as the same debt: {wrong}"
    assert server.alive()
    check_normal(server.lookup())
