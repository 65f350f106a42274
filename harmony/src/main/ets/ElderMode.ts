/**
 * Display settings of normal and elder mode (适老化), by the MIIT rules:
 * body text at least 18 vp, touch targets at least 60 vp, 4.5:1 contrast,
 * no pop-ups (errors show inline), short labels from the catalogue.
 */
import type { CatalogueItem } from 'libecard_harmony.so';

export interface DisplayMode {
  readonly elder: boolean;
  /** Body text size, vp. */
  readonly bodyFontSize: number;
  /** Heading text size, vp. */
  readonly titleFontSize: number;
  /** Smallest height of anything tappable, vp. */
  readonly touchTarget: number;
  /** Whether errors and confirmations may use dialogs (never in elder mode). */
  readonly popUps: boolean;
  /** Text colour on the background (contrast ≥ 4.5:1, 7:1 in elder mode). */
  readonly textColor: string;
  readonly backgroundColor: string;
  /** How many search results to list. */
  readonly listLimit: number;
  /** Side of a PIN-pad key, vp (at least 60 in either mode: the pad is used by everyone). */
  readonly pinKey: number;
  /** Size of a PIN-pad digit, vp. */
  readonly pinDigitFontSize: number;
}

export const NORMAL_MODE: DisplayMode = {
  elder: false,
  bodyFontSize: 16,
  titleFontSize: 20,
  touchTarget: 48,
  popUps: true,
  textColor: '#1A1A1A',
  backgroundColor: '#FFFFFF',
  listLimit: 20,
  pinKey: 60,
  pinDigitFontSize: 26,
};

export const ELDER_MODE: DisplayMode = {
  elder: true,
  bodyFontSize: 20,
  titleFontSize: 28,
  touchTarget: 64,
  popUps: false,
  textColor: '#000000',
  backgroundColor: '#FFFFFF',
  listLimit: 8,
  pinKey: 72,
  pinDigitFontSize: 32,
};

export function displayMode(elder: boolean): DisplayMode {
  return elder ? ELDER_MODE : NORMAL_MODE;
}

/** The name to show for a catalogue item: the short label in elder mode. */
export function itemTitle(item: CatalogueItem, mode: DisplayMode): string {
  return mode.elder && item.shortLabel.length > 0 ? item.shortLabel : item.name;
}

/** WCAG contrast ratio of two `#RRGGBB` colours. */
export function contrastRatio(foreground: string, background: string): number {
  const luminance = (hex: string): number => {
    const channel = (offset: number): number => {
      const value = parseInt(hex.substring(offset, offset + 2), 16) / 255;
      return value <= 0.03928 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  };
  const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}
