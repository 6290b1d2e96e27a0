// Drives Fundline's token service with the unmodified official Connect
// Node.js SDK (connect-sdk-nodejs from npm), which validates every request
// against Worldline's own JSON schemas before sending it. Run by
// tests/api/connect_sdk.rs; the endpoint and credentials come from the
// environment. Exits non-zero on the first failure.
"use strict";

const connectSdk = require("connect-sdk-nodejs");

const endpoint = new URL(process.env.FUNDLINE_ENDPOINT);
const MERCHANT = process.env.FUNDLINE_MERCHANT_ID;

function client(secret) {
  return connectSdk.init({
    host: endpoint.hostname,
    scheme: endpoint.protocol.replace(":", ""),
    port: Number(endpoint.port),
    apiKeyId: process.env.FUNDLINE_API_KEY_ID,
    secretApiKey: secret || process.env.FUNDLINE_SECRET_API_KEY,
    integrator: "Fundline tests",
  });
}

function check(cond, what) {
  if (!cond) {
    console.log("FAILED: " + what);
    process.exit(1);
  }
  console.log("ok: " + what);
}

const customer = {
  billingAddress: { countryCode: "US", city: "Monument Valley", street: "Desertroad", houseNumber: "13", zip: "84536" },
  personalInformation: { name: { firstName: "Wile", surname: "Coyote" } },
  merchantCustomerId: "1234",
};

function card(number, expiry, extra) {
  const cardWithoutCvv = { cardholderName: "Wile E. Coyote", expiryDate: expiry };
  if (number) cardWithoutCvv.cardNumber = number;
  return {
    paymentProductId: 1,
    card: { customer, data: Object.assign({ cardWithoutCvv }, extra || {}) },
  };
}

async function cards(tokens) {
  const first = await tokens.create(
    MERCHANT,
    card("4567350000427977", "1230", { firstTransactionDate: "20240229", providerReference: "ATOS-TC-1" }),
  );
  check(first.status === 201 && first.body.isNewToken === true && first.body.token, "create: a new token (201)");
  const again = await tokens.create(MERCHANT, card("4567350000427977", "0131"));
  check(again.status === 200 && again.body.isNewToken === false && again.body.token === first.body.token,
    "create: the same card gives the same token (200)");

  const got = await tokens.get(MERCHANT, first.body.token);
  const data = got.body.card.data;
  check(got.status === 200 && got.body.id === first.body.token && got.body.paymentProductId === 1, "get: the token");
  check(data.cardWithoutCvv.cardNumber.endsWith("7977") && !JSON.stringify(got.body).includes("4567350000427977"),
    "get: the number masked");
  check(data.firstTransactionDate === "20240229" && data.providerReference === "ATOS-TC-1",
    "get: firstTransactionDate and providerReference on card.data");

  const upd = await tokens.update(MERCHANT, first.body.token, card("4567350000427977", "0632"));
  check(upd.status === 204, "update: 204");
  const after = await tokens.get(MERCHANT, first.body.token);
  check(after.body.card.data.cardWithoutCvv.expiryDate === "0632", "update: the change is kept");

  const missing = await tokens.create(MERCHANT, card(null, "1230"));
  check(missing.status === 400 && !missing.isSuccess
    && missing.body.errors.some((e) => e.propertyName === "card.data.cardWithoutCvv.cardNumber"),
    "a missing card number: 400 with the property named");

  // Idempotence: the same key replays the first answer.
  const ctx = { idempotence: { key: "node-sdk-" + Date.now() } };
  const a = await tokens.create(MERCHANT, card("5399999999999999", "1230"), ctx);
  const b = await tokens.create(MERCHANT, card("5399999999999999", "1230"), ctx);
  check(a.status === 201 && b.status === 201 && a.body.token === b.body.token,
    "idempotence key: the replay answers the first result");

  const del = await tokens.remove(MERCHANT, first.body.token, {});
  check(del.status === 204, "delete: 204");
  const gone = await tokens.get(MERCHANT, first.body.token);
  check(gone.status === 404 && gone.body.errors[0].id === "UNKNOWN_TOKEN", "a deleted token is unknown (404)");
}

async function mandates(tokens) {
  const sepa = await tokens.create(MERCHANT, {
    paymentProductId: 770,
    sepaDirectDebit: {
      customer,
      mandate: {
        bankAccountIban: { accountHolderName: "Wile E. Coyote", iban: "NL91ABNA0417164300" },
        debtor: { firstName: "Wile", surname: "Coyote", countryCode: "NL" },
        customerContractIdentifier: "contract-1",
        isRecurring: true,
      },
    },
  });
  check(sepa.status === 201, "SEPA: create a mandate token");
  const unsigned = await tokens.approvesepadirectdebit(MERCHANT, sepa.body.token, {
    mandateSignatureDate: "20261121", mandateSignaturePlace: "Utrecht", mandateSigned: false,
  });
  check(unsigned.status === 400, "SEPA: an unsigned approval is refused");
  const approved = await tokens.approvesepadirectdebit(MERCHANT, sepa.body.token, {
    mandateSignatureDate: "20261121", mandateSignaturePlace: "Utrecht", mandateSigned: true,
  });
  check(approved.status === 204, "SEPA: approve (204)");
  const got = await tokens.get(MERCHANT, sepa.body.token);
  const m = got.body.sepaDirectDebit.mandate;
  check(m.bankAccountIban.iban.endsWith("4300") && !JSON.stringify(got.body).includes("NL91ABNA0417164300"),
    "SEPA: the IBAN is masked");
  check(typeof m.mandateId === "string" && m.mandateId.length > 0 && m.creditor && m.creditor.name,
    "SEPA: mandateId and creditor as the SDK model declares");

  // Spec 003's own 705 example: an Italian account.
  const italian = await tokens.create(MERCHANT, {
    paymentProductId: 705,
    nonSepaDirectDebit: {
      customer: {
        billingAddress: { additionalInfo: "Suite II", city: "Monument Valley", countryCode: "US", houseNumber: "1",
          state: "Utah", street: "Desertroad", zip: "84536" },
        companyInformation: { name: "Acme Labs" },
        merchantCustomerId: "1234",
        personalInformation: { name: { firstName: "Wile", surname: "Coyote", surnamePrefix: "E." } },
      },
      mandate: {
        paymentProduct705SpecificData: {
          authorisationId: "123456",
          bankAccountBban: { accountNumber: "000000123456", bankCode: "05428", branchCode: "11101", checkDigit: "X",
            countryCode: "IT" },
        },
      },
    },
  });
  check(italian.status === 201, "non-SEPA 705: spec 003's Italian example (201)");

  const ach = await tokens.create(MERCHANT, {
    paymentProductId: 730,
    nonSepaDirectDebit: {
      customer,
      mandate: { paymentProduct730SpecificData: { bankAccountBban: { accountNumber: "000123456789", bankCode: "011000015" } } },
    },
  });
  check(ach.status === 201, "non-SEPA 730: create");

  const wallet = await tokens.create(MERCHANT, {
    paymentProductId: 840,
    eWallet: { customer, data: { billingAgreementId: "B-5A1234567E123456X" } },
  });
  check(wallet.status === 201, "eWallet 840: create");
  const w = await tokens.get(MERCHANT, wallet.body.token);
  check(w.body.eWallet.data.billingAgreementId === "B-5A1234567E123456X", "eWallet: the billing agreement id whole");
}

async function sessions(c) {
  const s = await c.v1.sessions.create(MERCHANT, {});
  check(s.status === 201 && s.body.clientSessionId && s.body.customerId, "sessions: a client session (201)");
  check(/\/client\/v1$/.test(s.body.clientApiUrl), "sessions: a clientApiUrl the client SDK accepts");
}

async function main() {
  const c = client();
  await cards(c.v1.tokens);
  await mandates(c.v1.tokens);
  await sessions(c);
  const bad = await client("I42Zf4pVnRdroHfuHnRiJjJ2B6+22h0yQt/R3nZR8Xg=").v1.tokens.get(MERCHANT, "abc-123");
  check(bad.status === 401 && bad.body.errors[0].code === "9002", "a wrong secret is refused with 9002");
  console.log("all SDK checks passed");
}

main().catch((e) => {
  console.log("FAILED: " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
