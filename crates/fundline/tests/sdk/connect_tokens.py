"""Drives Fundline's token service (card, SEPA, non-SEPA, eWallet) with the unmodified official Connect SDK
(connect-sdk-python3). Run by tests/api/connect_sdk.rs; the endpoint and the
credentials come from the environment. Exits non-zero on the first failure."""

import os
import sys

from worldline.connect.sdk.communicator_configuration import CommunicatorConfiguration
from worldline.connect.sdk.factory import Factory
from worldline.connect.sdk.v1.api_exception import ApiException
from worldline.connect.sdk.v1.reference_exception import ReferenceException
from worldline.connect.sdk.v1.validation_exception import ValidationException
from worldline.connect.sdk.v1.domain.address import Address
from worldline.connect.sdk.v1.domain.card_without_cvv import CardWithoutCvv
from worldline.connect.sdk.v1.domain.create_token_request import CreateTokenRequest
from worldline.connect.sdk.v1.domain.customer_token import CustomerToken
from worldline.connect.sdk.v1.domain.customer_token_with_contact_details import CustomerTokenWithContactDetails
from worldline.connect.sdk.v1.domain.personal_information_token import PersonalInformationToken
from worldline.connect.sdk.v1.domain.personal_name_token import PersonalNameToken
from worldline.connect.sdk.v1.domain.token_card import TokenCard
from worldline.connect.sdk.v1.domain.token_card_data import TokenCardData
from worldline.connect.sdk.v1.domain.update_token_request import UpdateTokenRequest
from worldline.connect.sdk.v1.merchant.tokens.delete_token_params import DeleteTokenParams
from worldline.connect.sdk.v1.domain.approve_token_request import ApproveTokenRequest
from worldline.connect.sdk.v1.domain.bank_account_bban import BankAccountBban
from worldline.connect.sdk.v1.domain.bank_account_iban import BankAccountIban
from worldline.connect.sdk.v1.domain.debtor import Debtor
from worldline.connect.sdk.v1.domain.mandate_non_sepa_direct_debit import MandateNonSepaDirectDebit
from worldline.connect.sdk.v1.domain.mandate_sepa_direct_debit_without_creditor import MandateSepaDirectDebitWithoutCreditor
from worldline.connect.sdk.v1.domain.token_e_wallet import TokenEWallet
from worldline.connect.sdk.v1.domain.token_e_wallet_data import TokenEWalletData
from worldline.connect.sdk.v1.domain.token_non_sepa_direct_debit import TokenNonSepaDirectDebit
from worldline.connect.sdk.v1.domain.token_non_sepa_direct_debit_payment_product705_specific_data import TokenNonSepaDirectDebitPaymentProduct705SpecificData
from worldline.connect.sdk.v1.domain.token_non_sepa_direct_debit_payment_product730_specific_data import TokenNonSepaDirectDebitPaymentProduct730SpecificData
from worldline.connect.sdk.v1.domain.token_sepa_direct_debit_without_creditor import TokenSepaDirectDebitWithoutCreditor

ENDPOINT = os.environ["FUNDLINE_ENDPOINT"]
KEY_ID = os.environ["FUNDLINE_API_KEY_ID"]
SECRET = os.environ["FUNDLINE_SECRET_API_KEY"]
MERCHANT = os.environ["FUNDLINE_MERCHANT_ID"]


def client(secret=SECRET):
    config = CommunicatorConfiguration(
        api_endpoint=ENDPOINT, api_key_id=KEY_ID, secret_api_key=secret, authorization_type="v1HMAC",
        connect_timeout=5, socket_timeout=10, max_connections=2, integrator="Fundline tests")
    return Factory.create_client_from_configuration(config)


def model(cls, **fields):
    """An SDK model with `fields` set through its own properties."""
    m = cls()
    for name, value in fields.items():
        setattr(m, name, value)
    return m


def personal():
    return model(PersonalInformationToken, name=model(PersonalNameToken, first_name="Wile", surname="Coyote"))


def mandate_customer(cls=CustomerToken):
    """Spec 003 requires a customer for the SEPA, non-SEPA and eWallet groups."""
    return model(cls, personal_information=personal())


def card_request(number, expiry):
    address = model(Address, country_code="US", city="Monument Valley", street="Desertroad",
                    house_number="13", zip="84536")
    customer = model(CustomerToken, billing_address=address, personal_information=personal(),
                     merchant_customer_id="1234")
    cwc = model(CardWithoutCvv, cardholder_name="Wile E. Coyote", expiry_date=expiry)
    if number is not None:
        cwc.card_number = number
    return model(TokenCard, customer=customer, data=model(TokenCardData, card_without_cvv=cwc))


def check(cond, what):
    if not cond:
        print("FAILED: " + what)
        sys.exit(1)
    print("ok: " + what)


def other_groups(tokens):
    iban = model(BankAccountIban, account_holder_name="Wile E. Coyote", iban="NL91ABNA0417164300")
    debtor = model(Debtor, first_name="Wile", surname="Coyote", country_code="NL")
    mandate = model(MandateSepaDirectDebitWithoutCreditor, bank_account_iban=iban, debtor=debtor,
                    customer_contract_identifier="contract-1", is_recurring=True)
    sepa = model(TokenSepaDirectDebitWithoutCreditor,
                 customer=mandate_customer(CustomerTokenWithContactDetails), mandate=mandate)
    created = tokens.create(model(CreateTokenRequest, payment_product_id=770, sepa_direct_debit=sepa))
    check(created.is_new_token is True, "SEPA: create a mandate token")
    approval = model(ApproveTokenRequest, mandate_signature_date="20261121",
                     mandate_signature_place="Utrecht", mandate_signed=True)
    tokens.approvesepadirectdebit(created.token, approval)
    got = tokens.get(created.token)
    check(got.sepa_direct_debit.mandate.bank_account_iban.iban.endswith("4300")
          and "NL91ABNA0417164300" not in got.sepa_direct_debit.mandate.bank_account_iban.iban,
          "SEPA: approve (204), and the IBAN is masked")
    check(got.sepa_direct_debit.mandate.mandate_id and got.sepa_direct_debit.mandate.creditor.name,
          "SEPA: the model's mandateId and creditor are filled")

    bban = model(BankAccountBban, account_holder_name="Wile Coyote", account_number="31926819",
                 bank_code="601613", country_code="GB")
    uk = model(TokenNonSepaDirectDebitPaymentProduct705SpecificData, authorisation_id="AUTH-123",
               bank_account_bban=bban)
    non_sepa = model(MandateNonSepaDirectDebit, payment_product705_specific_data=uk)
    check(tokens.create(non_sepa_request(705, non_sepa)).is_new_token is True, "non-SEPA 705: create")

    ach_bban = model(BankAccountBban, account_holder_name="Wile Coyote", account_number="000123456789",
                     bank_code="011000015")
    ach = model(TokenNonSepaDirectDebitPaymentProduct730SpecificData, bank_account_bban=ach_bban)
    non_sepa = model(MandateNonSepaDirectDebit, payment_product730_specific_data=ach)
    check(tokens.create(non_sepa_request(730, non_sepa)).is_new_token is True, "non-SEPA 730: create")

    wallet = model(TokenEWallet, customer=mandate_customer(),
                   data=model(TokenEWalletData, billing_agreement_id="B-5A1234567E123456X"))
    created = tokens.create(model(CreateTokenRequest, payment_product_id=840, e_wallet=wallet))
    got = tokens.get(created.token)
    check(created.is_new_token is True and got.payment_product_id == 840
          and got.e_wallet.data.billing_agreement_id == "B-5A1234567E123456X",
          "eWallet 840: create and get, the billing agreement id whole")


def non_sepa_request(product, mandate):
    token = model(TokenNonSepaDirectDebit, customer=mandate_customer(), mandate=mandate)
    return model(CreateTokenRequest, payment_product_id=product, non_sepa_direct_debit=token)


def main():
    with client() as c:
        tokens = c.v1().merchant(MERCHANT).tokens()

        body = CreateTokenRequest()
        body.payment_product_id = 1
        body.card = card_request("4567350000427977", "1230")
        body.card.data.first_transaction_date = "20240229"
        body.card.data.provider_reference = "ATOS-TC-1"
        first = tokens.create(body)
        check(first.is_new_token is True and first.token, "create: a new token (201)")

        body.card = card_request("4567350000427977", "0131")
        again = tokens.create(body)
        check(again.is_new_token is False and again.token == first.token, "create: the same card gives the same token (200)")

        got = tokens.get(first.token)
        check(got.id == first.token and got.payment_product_id == 1, "get: the token")
        number = got.card.data.card_without_cvv.card_number
        check(number.endswith("7977") and "4567350000427977" not in number, "get: the number masked")
        check(got.card.data.first_transaction_date == "20240229" and got.card.data.provider_reference == "ATOS-TC-1",
              "get: firstTransactionDate and providerReference where TokenCardData has them")

        update = UpdateTokenRequest()
        update.payment_product_id = 1
        update.card = card_request("4567350000427977", "0632")
        tokens.update(first.token, update)
        check(tokens.get(first.token).card.data.card_without_cvv.expiry_date == "0632", "update: 204 and the change is kept")

        missing = CreateTokenRequest()
        missing.payment_product_id = 1
        missing.card = card_request(None, "1230")
        try:
            tokens.create(missing)
            check(False, "a missing card number is refused")
        except ValidationException as e:
            props = [err.property_name for err in e.errors]
            check(e.status_code == 400 and "card.data.cardWithoutCvv.cardNumber" in props,
                  "a missing card number raises ValidationException with the error list")

        other_groups(tokens)

        tokens.delete(first.token, DeleteTokenParams())
        try:
            tokens.get(first.token)
            check(False, "a deleted token is unknown")
        except ReferenceException as e:
            check(e.status_code == 404 and e.errors[0].id == "UNKNOWN_TOKEN", "an unknown token raises ReferenceException")

    with client(secret="I42Zf4pVnRdroHfuHnRiJjJ2B6+22h0yQt/R3nZR8Xg=") as bad:
        try:
            bad.v1().merchant(MERCHANT).tokens().get("abc-123")
            check(False, "a wrong secret is refused")
        except ApiException as e:
            check(e.status_code == 401 and e.errors[0].code == "9002", "a wrong secret is refused with 9002")

    print("all SDK checks passed")


if __name__ == "__main__":
    main()
