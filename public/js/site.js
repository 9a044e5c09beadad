// Niceties only: every form works without this script (the server checks everything again).
// Live feedback on new-password forms: length reached, and both entries equal.
document.querySelectorAll('form[data-password-form]').forEach((form) => {
  const min = Number(form.getAttribute('data-min-length') || '15');
  // Texts come from the locale file through data attributes: nothing to translate here.
  const lengthText = form.getAttribute('data-hint-length') || '{length} / {min}';
  const differText = form.getAttribute('data-hint-differ') || '≠';
  const password = form.querySelector('input[name="password"]');
  const confirm = form.querySelector('input[name="confirm"]');
  if (!password || !confirm) return;
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.setAttribute('aria-live', 'polite');
  confirm.insertAdjacentElement('afterend', hint);
  const update = () => {
    const length = [...password.value.normalize('NFKC')].length;
    if (length === 0) {
      hint.textContent = '';
      return;
    }
    const longEnough = length >= min;
    const same = confirm.value === '' || confirm.value === password.value;
    const counted = lengthText.replace('{length}', String(length)).replace('{min}', String(min));
    hint.textContent = `${longEnough ? '✓' : '✗'} ${counted}${same ? '' : ` · ${differText}`}`;
    hint.className = `hint ${longEnough && same ? 'ok' : 'bad'}`;
  };
  password.addEventListener('input', update);
  confirm.addEventListener('input', update);
});
