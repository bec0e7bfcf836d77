// Starts GOV.UK Frontend's components. A file rather than an inline script: the Content Security
// Policy allows no inline script but the one GOV.UK's template needs, which carries a nonce.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

initAll();
