const KEY = 'siglip-demo-theme';
const media = matchMedia('(prefers-color-scheme: dark)');

function effective() {
  const forced = document.documentElement.dataset.theme;
  return forced === 'dark' || forced === 'light' ? forced : media.matches ? 'dark' : 'light';
}

/** Follows the OS until the user picks; the choice is remembered. */
export function setupTheme(button) {
  const sync = () => {
    const theme = effective();
    document.documentElement.dataset.effectiveTheme = theme;
    const next = theme === 'dark' ? 'light' : 'dark';
    button.setAttribute('aria-label', `Switch to ${next} theme`);
  };
  button.addEventListener('click', () => {
    const next = effective() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try { localStorage.setItem(KEY, next); } catch { /* private mode: theme just is not remembered */ }
    sync();
  });
  media.addEventListener('change', sync);
  sync();
}
