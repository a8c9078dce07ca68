// QR codes for claim links and wallet deep links, as SVG (for pages and print) and PNG (for
// email and chat, where SVG is often stripped). Medium error correction survives a crumpled printout.
import QRCode from 'qrcode';

const OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const;

export async function qrSvg(text: string, title: string): Promise<string> {
  const svg = await QRCode.toString(text, { ...OPTIONS, type: 'svg' });
  // An accessible name, so a screen reader announces what the code is for.
  const escaped = title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return svg.replace(/<svg([^>]*)>/, `<svg$1 role="img" aria-label="${escaped.replace(/"/g, '&quot;')}"><title>${escaped}</title>`);
}

export function qrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { ...OPTIONS, type: 'png', width: 512 });
}
