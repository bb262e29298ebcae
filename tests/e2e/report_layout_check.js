// Injected into a copy of report.html by the e2e test: after the page has
// laid out, lists every SVG text the chart cuts off (outside its SVG's box),
// every two texts of one chart that overlap, and every chart wider than the
// window, in a pre element (id layout-check) for --dump-dom to show.
window.addEventListener('load', () => {
  const lines = [];
  let texts = 0;
  const pageWidth = document.documentElement.clientWidth;
  for (const svg of document.querySelectorAll('svg')) {
    const box = svg.getBoundingClientRect();
    const title = svg.querySelector('title') ? svg.querySelector('title').textContent : '?';
    if (box.right > pageWidth + 0.5) lines.push('wider than the window: ' + title);
    const rects = [];
    for (const t of svg.querySelectorAll('text')) {
      ++texts;
      const r = t.getBoundingClientRect();
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 ||
          r.bottom > box.bottom + 0.5)
        lines.push('clipped: ' + title + ': ' + t.textContent);
      rects.push([r, t.textContent]);
    }
    for (let i = 0; i < rects.length; ++i)
      for (let j = i + 1; j < rects.length; ++j) {
        const [a, at] = rects[i], [b, bt] = rects[j];
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        // Glyph boxes include line gaps: a sliver of 2 px is not an overlap.
        if (w > 2 && h > 2) lines.push('overlap: ' + title + ': ' + at + ' / ' + bt);
      }
  }
  const pre = document.createElement('pre');
  pre.id = 'layout-check';
  pre.textContent = 'texts ' + texts + '\n' + lines.join('\n') + '\n';
  document.body.appendChild(pre);
});
