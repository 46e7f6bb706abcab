/**
 * Russian names for generated portals: people (managers, individual entrepreneurs) and companies
 * (ООО «…», АО «…», ИП …), plus a transliteration for their e-mail addresses.
 */
import type { Random } from '../rng';

export const MALE_FIRST = ['Александр', 'Дмитрий', 'Максим', 'Сергей', 'Андрей', 'Алексей', 'Артём', 'Илья', 'Кирилл', 'Михаил', 'Никита', 'Роман', 'Павел', 'Егор', 'Владимир', 'Олег', 'Игорь', 'Денис'];
export const FEMALE_FIRST = ['Анна', 'Мария', 'Елена', 'Ольга', 'Наталья', 'Татьяна', 'Ирина', 'Екатерина', 'Светлана', 'Юлия', 'Дарья', 'Алина', 'Ксения', 'Виктория', 'Марина', 'Полина'];
export const MALE_LAST = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров', 'Морозов', 'Волков', 'Алексеев', 'Лебедев', 'Семёнов', 'Егоров', 'Павлов', 'Козлов', 'Степанов', 'Николаев', 'Орлов', 'Андреев', 'Макаров', 'Никитин', 'Захаров', 'Зайцев', 'Соловьёв', 'Борисов', 'Яковлев', 'Григорьев'];
export const PATRONYMIC_INITIALS = ['А', 'Б', 'В', 'Г', 'Д', 'Е', 'И', 'К', 'Л', 'М', 'Н', 'О', 'П', 'Р', 'С', 'Ю'];

const BRAND_HEAD = ['Альфа', 'Вектор', 'Гранит', 'Дельта', 'Зенит', 'Импульс', 'Кристалл', 'Лидер', 'Меридиан', 'Нева', 'Орион', 'Полюс', 'Ресурс', 'Сигма', 'Терра', 'Урал', 'Феникс', 'Эталон', 'Янтарь', 'Байкал', 'Волга', 'Прометей', 'Атлант', 'Горизонт', 'Спектр', 'Квант', 'Стандарт', 'Форвард', 'Север', 'Магистраль'];
const BRAND_TAIL = ['Строй', 'Сервис', 'Трейд', 'Логистик', 'Консалт', 'Групп', 'Пром', 'Тех', 'Мед', 'Агро', 'Инвест', 'Снаб', 'Софт', 'Маркет', 'Энерго', 'Проект', 'Авто', 'Фарм'];
const PHRASES = ['Рога и копыта', 'Северный ветер', 'Добрый хлеб', 'Белые ночи', 'Три кита', 'Зелёная долина', 'Солнечный город', 'Новый берег', 'Тёплый дом', 'Чистая вода', 'Красный октябрь', 'Синяя птица'];

export function pick<T>(random: Random, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)];
}

export function femaleLast(male: string): string {
  if (male.endsWith('ий')) return male.slice(0, -2) + 'ая';
  return male + 'а';
}

export interface PersonName {
  name: string;
  lastName: string;
}

export function personName(random: Random): PersonName {
  const female = random() < 0.5;
  const last = pick(random, MALE_LAST);
  return female ? { name: pick(random, FEMALE_FIRST), lastName: femaleLast(last) } : { name: pick(random, MALE_FIRST), lastName: last };
}

/** `ООО «Альфа-Строй»`, `АО «Северный ветер»`, `ИП Петров А. В.` */
export function companyTitle(random: Random): string {
  const r = random();
  if (r < 0.2) {
    const p = personName(random);
    return `ИП ${p.lastName} ${p.name[0]}. ${pick(random, PATRONYMIC_INITIALS)}.`;
  }
  const brand = random() < 0.25 ? pick(random, PHRASES) : `${pick(random, BRAND_HEAD)}-${pick(random, BRAND_TAIL)}`;
  return r < 0.3 ? `АО «${brand}»` : `ООО «${brand}»`;
}

const TRANSLIT: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o',
  п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e',
  ю: 'yu', я: 'ya',
};

const translitCache = new Map<string, string>();

/** `Кузнецова` → `kuznetsova`; anything that is not a letter or digit becomes `-`. */
export function translit(text: string): string {
  let out = translitCache.get(text);
  if (out === undefined) {
    out = translitRaw(text);
    if (translitCache.size < 10_000) translitCache.set(text, out);
  }
  return out;
}

function translitRaw(text: string): string {
  return text
    .toLowerCase()
    .split('')
    .map((ch) => TRANSLIT[ch] ?? (/[a-z0-9]/.test(ch) ? ch : '-'))
    .join('')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Russian month names in the nominative case, capitalised (RULES.md: `Январь 2025`). */
export const MONTHS_RU = ['Январь', 'Февраль', 'Март', 'Апрель', 'Май', 'Июнь', 'Июль', 'Август', 'Сентябрь', 'Октябрь', 'Ноябрь', 'Декабрь'];
