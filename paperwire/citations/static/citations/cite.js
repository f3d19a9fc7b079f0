// The Cite menu's Copy buttons: hidden without JavaScript (the text stays selectable), shown here.
document.querySelectorAll(".cite-copy").forEach((button) => {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const text = document.getElementById(button.dataset.copy)?.textContent ?? "";
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Copy failed: select the text";
    }
    setTimeout(() => { button.textContent = "Copy"; }, 2000);
  });
});
