// Warns before the session times out and signs the user out when it does. Without JavaScript
// the server still ends idle sessions (accounts.middleware.SessionTimeoutMiddleware).
const script = document.getElementById("session-timeout-script");
const dialog = document.getElementById("session-timeout-warning");
if (script && dialog) {
  const idle = Number(script.dataset.idle) * 1000;
  const warning = Number(script.dataset.warning) * 1000;
  const countdown = dialog.querySelector("[data-countdown]");
  let deadline = Date.now() + idle;
  let lastFocus = null;
  const tick = () => {
    const left = deadline - Date.now();
    if (left <= 0) {
      window.location.href = "/sign-in?timed_out=1";
      return;
    }
    if (left <= warning && dialog.hidden) {
      lastFocus = document.activeElement;
      dialog.hidden = false;
      dialog.querySelector("button").focus();
    }
    if (!dialog.hidden) {
      const minutes = Math.ceil(left / 60000);
      countdown.textContent = minutes > 1 ? `${minutes} minutes` : `${Math.ceil(left / 1000)} seconds`;
    }
  };
  dialog.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const response = await fetch(form.action, { method: "POST", body: new FormData(form) });
    if (response.ok) {
      deadline = Date.now() + idle;
      dialog.hidden = true;
      if (lastFocus) lastFocus.focus();
    } else {
      window.location.href = "/sign-in?timed_out=1";
    }
  });
  setInterval(tick, 1000);
}
